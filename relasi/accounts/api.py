import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from relasi.accounts.models import ApiToken, User
from relasi.core.api import PageOut, check, page_of

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str | None = None
    team: str | None = None
    manager_id: int | None = None
    is_active: bool

    @staticmethod
    def resolve_role(obj: User) -> str | None:
        return obj.role.slug if obj.role else None

    @staticmethod
    def resolve_team(obj: User) -> str | None:
        return obj.team.name if obj.team else None


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    scopes: dict[str, str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.get("/me", response=UserOut, summary="The signed-in user")
def me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/users", response=PageOut[UserOut], summary="Users (administrators)")
def users(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> dict:
    check(request, "admin", "view")
    return page_of(
        User.objects.select_related("role", "team"), order="pk", cursor=cursor, limit=limit
    )


@router.get("/tokens", response=list[TokenOut], summary="My personal access tokens")
def tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=request.auth))  # type: ignore[attr-defined,misc]
