"""API plumbing shared by every app's router: authentication (personal access tokens or the
browser session with CSRF), module/scope permissions, consistent JSON errors, keyset pages."""

import logging
import math
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import AuthRateThrottle

from relasi.core import audit
from relasi.core.pagination import paginate
from relasi.core.records import ConflictError, InUseError
from relasi.core.text import check_request
from relasi.core.throttle import Limit

T = TypeVar("T")
logger = logging.getLogger("relasi.api")
INT64_MAX = 2**63 - 1
# An id or count in a schema: the database's integer range, so out-of-range input is a 422.
Id = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
LAST_USED_RESOLUTION = 60  # seconds; avoids a write on every request

# Guessing tokens: authentication runs before ninja's throttles, so failed bearer tokens are
# counted here, per client address (SECURITY.md check 3).
TOKEN_FAILURES = Limit(
    "api-token", settings.LOGIN_FAILURE_LIMIT * 4, settings.LOGIN_LOCKOUT_SECONDS
)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rls_…` — tokens are never accepted in URLs."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from relasi.accounts.models import ApiToken

        ip = audit.client_ip(request) or "-"
        if wait := TOKEN_FAILURES.blocked_for(ip):
            raise Throttled(wait=wait)
        found = ApiToken.find(token)
        if found is None or not found.user.is_active:
            if TOKEN_FAILURES.hit(ip) >= TOKEN_FAILURES.limit:
                audit.security_event("api_token.blocked", request)
            else:
                audit.security_event("api_token.failed", request, prefix=token[:10])
            return None
        if found.user.must_use_2fa and not found.user.totp_enabled:
            raise HttpError(403, "Two-factor authentication must be set up first.")
        now = timezone.now()
        if (
            not found.last_used_at
            or (now - found.last_used_at).total_seconds() > LAST_USED_RESOLUTION
        ):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found  # type: ignore[attr-defined]
        request.user = found.user
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The UI's own session (htmx and fetch calls); CSRF is enforced on unsafe methods."""

    csrf = True

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if getattr(user, "must_use_2fa", False) and not user.totp_enabled:
                return None
            return user
        return None


AUTH = [TokenAuth(), BrowserSessionAuth()]


class UserRateThrottle(AuthRateThrottle):
    """Per signed-in user (by id: ninja's default keys on str(user), the display name, which
    two users can share), per client address otherwise."""

    def get_cache_key(self, request: HttpRequest) -> str:
        user = getattr(request, "auth", None)
        ident = f"u{user.pk}" if user is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def check(request: HttpRequest, module: str, action: str = "view") -> Any:
    """Role permission and, for token calls, the token's scope for the module."""
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_module_perm(module, action):
        raise HttpError(403, "You do not have permission for this.")
    token = getattr(request, "api_token", None)
    if token is not None and not token.allows(module, write=action != "view"):
        raise HttpError(403, "This token's scope does not allow this.")
    return user


class RelasiAPI(NinjaAPI):
    """The project's NinjaAPI: refuses forbidden control characters in any input (query or
    JSON body) before an operation runs; the error handlers answer 422 with their places."""

    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        # The first step of every operation inside ninja's error handling (Operation.run).
        check_request(request)
        return super().create_temporal_response(request)


class ErrorOut(Schema):
    status: int
    message: str
    details: Any = None


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    prev_cursor: str | None = None


def page_of(
    queryset: models.QuerySet,
    *,
    order: str,
    cursor: str | None,
    before: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    page = paginate(queryset, order=order, after=cursor, before=before, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


def _error(
    api: Any, request: HttpRequest, status: int, message: str, details: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


def _conflict(api: Any, request: HttpRequest, exc: ConflictError) -> HttpResponse:
    exc.ensure_recorded()  # the action's transaction may have rolled the first record back
    return _error(api, request, 409, str(ConflictError.message))


def _in_use(api: Any, request: HttpRequest, exc: InUseError) -> HttpResponse:
    """A refused delete: 409 with what still refers to the record and what may be done instead."""
    blocking = [
        {
            "type": b.label,
            "label": b.name,
            "count": b.count,
            "examples": [{"id": pk, "name": text} for pk, text in b.examples],
        }
        for b in exc.blockers
    ]
    details = {"blocking": blocking, "options": exc.options}
    return _error(api, request, 409, str(InUseError.message), details)


def _throttled(api: Any, request: HttpRequest, exc: Throttled) -> HttpResponse:
    audit.security_event("api.throttled", request, path=request.path[:200])
    response = _error(api, request, 429, "Too many requests.")
    response["Retry-After"] = str(max(1, math.ceil(exc.wait or 60)))
    return response


def _out_of_range(api: Any, request: HttpRequest, exc: Exception) -> HttpResponse:
    """Safety net behind input validation: a number or text the database cannot hold (SQLite's
    OverflowError, PostgreSQL's "out of range") is the client's input, not a server fault.
    Logged, because it means a schema lacks a bound."""
    logger.warning("api.out_of_range", extra={"path": request.path[:200], "error": str(exc)[:200]})
    return _error(api, request, 422, "Invalid input: a value is out of range.")


def install_error_handlers(api: Any) -> None:
    api.add_exception_handler(OverflowError, lambda r, e: _out_of_range(api, r, e))
    api.add_exception_handler(DataError, lambda r, e: _out_of_range(api, r, e))
    api.add_exception_handler(Http404, lambda r, e: _error(api, r, 404, "Not found."))
    api.add_exception_handler(
        PermissionDenied, lambda r, e: _error(api, r, 403, "Permission denied.")
    )
    api.add_exception_handler(
        AuthenticationError, lambda r, e: _error(api, r, 401, "Authentication required.")
    )
    api.add_exception_handler(ConflictError, lambda r, e: _conflict(api, r, e))
    api.add_exception_handler(InUseError, lambda r, e: _in_use(api, r, e))
    api.add_exception_handler(Throttled, lambda r, e: _throttled(api, r, e))
    api.add_exception_handler(HttpError, lambda r, e: _error(api, r, e.status_code, str(e)))
    api.add_exception_handler(
        NinjaValidationError, lambda r, e: _error(api, r, 422, "Invalid input.", e.errors)
    )
    api.add_exception_handler(
        DjangoValidationError,
        lambda r, e: _error(
            api,
            r,
            422,
            "Invalid input.",
            e.message_dict if hasattr(e, "error_dict") else e.messages,
        ),
    )
