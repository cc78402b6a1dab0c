"""Customers API: people, organisations, search, timeline, relationships, notes (consents:
relasi/privacy/api.py).

Lists are keyset-paginated (`cursor`), read straight from `.values()` (no ORM object per row)
and scoped by the same access layer as the UI. Writes need the record's `version` (409 if stale).
"""

import datetime as dt
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from relasi.core import crypto, customfields
from relasi.core.access import get_for_user, visible_to
from relasi.core.api import check
from relasi.core.choices import ReadChannel
from relasi.core.models import Tag
from relasi.core.pagination import paginate
from relasi.core.typing import ApiRequest
from relasi.customers import actions, dq_api, merge, search
from relasi.customers.choices import Kind
from relasi.customers.filtersets import CustomerFilterSet
from relasi.customers.models import Customer

router = Router(tags=["customers"])

LIST_FIELDS = (
    "id",
    "kind",
    "name",
    "first_name",
    "last_name",
    "customer_type",
    "lifecycle_stage",
    "source",
    "primary_email",
    "primary_phone",
    "city",
    "province",
    "is_blacklisted",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
    "version",
    "custom",
)
ORDERS = {"name", "-name", "created_at", "-created_at", "id", "-id", "updated_at", "-updated_at"}


class CustomerListItem(Schema):
    id: int
    kind: str
    name: str
    first_name: str
    last_name: str
    customer_type: str
    lifecycle_stage: str
    source: str
    primary_email: str
    primary_phone: str
    city: str
    province: str
    is_blacklisted: bool
    owner_id: int | None
    team_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    custom: dict[str, Any]


class CustomerPage(Schema):
    items: list[CustomerListItem]
    next_cursor: str | None = None
    prev_cursor: str | None = None


class EmailIn(Schema):
    email: str
    label: str = "personal"
    is_primary: bool = False


class PhoneIn(Schema):
    number: str
    label: str = "mobile"
    is_primary: bool = False


class PhoneOut(PhoneIn):
    is_valid: bool = True  # false: kept as written by an import, not a valid number


class CustomerIn(Schema):
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    customer_type: str | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    date_of_birth: dt.date | None = None
    gender: str | None = None
    occupation: str | None = None
    income_band: str | None = None
    region: str | None = None
    interests: list[str] | None = None
    activities: list[str] | None = None
    opinions: list[str] | None = None
    preferred_channel: str | None = None
    preferred_language: str | None = None
    legal_name: str | None = None
    industry: str | None = None
    website: str | None = None
    tax_id: str | None = None
    employee_count: int | None = Field(default=None, ge=0)
    background: str | None = Field(default=None, max_length=10000)
    owner_id: int | None = None
    # Sensitive (encrypted at rest; only for users whose role may see them, else 403). Written
    # as plain text, read back masked here and in full from GET /customers/{id}/sensitive.
    national_id: str | None = Field(default=None, max_length=40, description="NIK, 16 digits")
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: str | None = Field(default=None, max_length=40)
    emails: list[EmailIn] | None = None
    phones: list[PhoneIn] | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class CustomerPatch(CustomerIn):
    version: int


class CustomerOut(CustomerListItem):
    date_of_birth: dt.date | None
    gender: str
    occupation: str
    income_band: str
    region: str
    interests: list[str]
    activities: list[str]
    opinions: list[str]
    preferred_channel: str
    preferred_language: str
    legal_name: str
    industry: str
    website: str
    tax_id: str
    employee_count: int | None
    background: str
    referred_by_id: int | None
    blacklist_reason: str
    national_id_masked: str = Field(
        description='"" when empty, "•••• •••• •••• 1234" for roles that may see it, else "hidden"'
    )
    bank_name: str
    bank_account_masked: str = Field(description="as national_id_masked")
    emails: list[EmailIn]
    phones: list[PhoneOut]
    tags: list[str]

    @staticmethod
    def resolve_national_id_masked(obj: Customer, context: Any) -> str:
        return _masked(obj, "national_id", context)

    @staticmethod
    def resolve_bank_account_masked(obj: Customer, context: Any) -> str:
        return _masked(obj, "bank_account", context)

    @staticmethod
    def resolve_emails(obj: Customer) -> list[dict]:
        return [
            {"email": e.email, "label": e.label, "is_primary": e.is_primary}
            for e in obj.emails.all()
        ]

    @staticmethod
    def resolve_phones(obj: Customer) -> list[dict]:
        return [
            {
                "number": p.number,
                "label": p.label,
                "is_primary": p.is_primary,
                "is_valid": p.is_valid,
            }
            for p in obj.phones.all()
        ]

    @staticmethod
    def resolve_tags(obj: Customer) -> list[str]:
        return [t.name for t in obj.tags.all()]


def _masked(obj: Customer, name: str, context: Any) -> str:
    request = (context or {}).get("request")
    shown = crypto.masked(getattr(request, "auth", None), obj, name)
    return "hidden" if shown is None else shown


class SensitiveOut(Schema):
    national_id: str
    bank_name: str
    bank_account: str


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    title: str
    body: str
    actor: str
    url: str
    changes: dict[str, Any]


class RelationshipIn(Schema):
    other_id: int
    kind: str
    note: str = ""


class RelationshipOut(Schema):
    id: int
    from_customer_id: int
    to_customer_id: int
    kind: str
    note: str
    created_at: dt.datetime


class PermissionIn(Schema):
    channel: str
    status: str
    source: str = ""
    evidence: str = ""


class PermissionOut(Schema):
    id: int
    channel: str
    status: str
    source: str
    evidence: str
    captured_at: dt.datetime


class NoteIn(Schema):
    body: str


class NoteOut(Schema):
    id: int
    body: str
    created_at: dt.datetime


class ListFilters(Schema):
    q: str | None = None
    lifecycle_stage: list[str] | None = None
    customer_type: str | None = None
    source: str | None = None
    tag: int | None = None
    group: int | None = None
    owner: int | None = None
    team: int | None = None
    city: str | None = None
    province: str | None = None
    created_after: dt.date | None = None
    created_before: dt.date | None = None
    consent: str | None = Field(
        None,
        description="granted, withdrawn, pending, none or contactable (may be contacted now), "
        "for consent_purpose on consent_channel; or purpose:channel:status",
    )
    consent_purpose: str | None = None
    consent_channel: str | None = None
    is_blacklisted: bool | None = None
    segment: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Members of this marketing segment"
    )


def _list(
    request: ApiRequest,
    kind: str,
    filters: ListFilters,
    cursor: str | None,
    order: str,
    limit: int,
) -> JsonResponse:
    user = check(request, "customers", "view")
    queryset = visible_to(user, Customer.objects.filter(kind=kind))
    params = dict(filters.dict(exclude_none=True))
    if params:
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for key, value in params.items():
            if isinstance(value, list):
                data.setlist(key, [str(v) for v in value])
            else:
                data[key] = str(value).lower() if isinstance(value, bool) else str(value)
        fs = CustomerFilterSet(data, queryset=queryset)
        fs.limit_to_user(user)
        if not fs.is_valid():
            from django.core.exceptions import ValidationError

            raise ValidationError(fs.errors.get_json_data())
        queryset = fs.qs
    order = order if order in ORDERS else "name"
    page = paginate(
        queryset.values(*LIST_FIELDS), order=order, after=cursor, limit=max(1, min(limit, 200))
    )
    # The rows from .values() already have exactly the documented CustomerPage shape, so they
    # are encoded directly: validating 50 dicts through pydantic again would cost more than
    # the query itself (measured in bench/bench_customers.py).
    body = {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}
    return JsonResponse(body, encoder=DjangoJSONEncoder)


def _get(request: ApiRequest, kind: str | None, pk: int, action: str = "view") -> Customer:
    user = check(request, "customers", action)
    qs = Customer.objects.prefetch_related("emails", "phones", "tags")
    if kind:
        qs = qs.filter(kind=kind)
    return get_for_user(user, qs, pk=pk)


def _custom_model(kind: str) -> Any:
    from relasi.customers.models import Organization, Person

    return Person if kind == Kind.PERSON else Organization


def _data(
    payload: CustomerIn, kind: str, customer: Customer | None = None
) -> tuple[dict, Any, Any, Any]:
    """Split a payload into model fields, e-mails, phones and tags; validate custom fields."""
    raw = payload.dict(exclude_unset=True)
    raw.pop("version", None)
    emails = raw.pop("emails", None)
    phone_list = raw.pop("phones", None)
    tag_names = raw.pop("tags", None)
    if "custom" in raw or customer is None:
        existing = (customer.custom or {}) if customer is not None else {}
        raw["custom"] = customfields.clean_values(
            _custom_model(kind), {**existing, **(raw.get("custom") or {})}
        )
    if "owner_id" in raw:
        from django.core.exceptions import ValidationError

        from relasi.accounts.models import User

        owner_id = raw.pop("owner_id")
        raw["owner"] = (
            User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        )
        if owner_id and raw["owner"] is None:
            raise ValidationError({"owner_id": ["Unknown user."]})
    nullable = ("date_of_birth", "employee_count", "owner")
    raw = {k: ("" if v is None and k not in nullable else v) for k, v in raw.items()}
    tags = None
    if tag_names is not None:
        tags = [Tag.objects.get_or_create(name=n.strip()[:60])[0] for n in tag_names if n.strip()]
    return raw, emails, phone_list, tags


def _sensitive_scope(request: ApiRequest, raw: dict, write: bool) -> None:
    """Sensitive fields need the role's permission and, for a token, its "privacy" scope."""
    if write and not any(k in raw for k in actions.SENSITIVE):
        return
    if not crypto.may_reveal(request.auth):
        raise HttpError(403, "Your role may not see or change sensitive fields.")
    token = getattr(request, "api_token", None)
    if token is not None and not token.allows("privacy", write=write):
        raise HttpError(403, "This token's scope does not allow sensitive fields (privacy).")


def _create(request: ApiRequest, kind: str, payload: CustomerIn) -> Customer:
    user = check(request, "customers", "add")
    raw, emails, phone_list, tags = _data(payload, kind)
    _sensitive_scope(request, raw, write=True)
    dq_api.check_create(request, user, kind, raw, emails, phone_list)  # 409 "did you mean …"
    customer = actions.create_customer(
        user, kind, raw, emails=emails or [], phones_=phone_list or [], tags=tags
    )
    return _get(request, kind, customer.pk)


def _patch(request: ApiRequest, kind: str, pk: int, payload: CustomerPatch) -> Customer:
    customer = _get(request, kind, pk, "change")
    raw, emails, phone_list, tags = _data(payload, kind, customer)
    _sensitive_scope(request, raw, write=True)
    actions.update_customer(
        request.auth,
        customer,
        raw,
        expected_version=payload.version,
        emails=emails,
        phones_=phone_list,
        tags=tags,
    )
    return _get(request, kind, pk)


def _delete(request: ApiRequest, kind: str, pk: int, reassign_to: int | None) -> Status:
    """204; 409 with `error.details.blocking` when deals, quotes, orders … still refer to the
    record, unless `reassign_to` names another visible record of the same kind to move them to."""
    customer = _get(request, kind, pk, "delete")
    if reassign_to is None:
        actions.delete_customer(request.auth, customer)
    else:
        check(request, "customers", "change")
        target = _get(request, kind, reassign_to)
        merge.reassign_and_delete(request.auth, customer, target)
    return Status(204, None)


for _kind, _path in ((Kind.PERSON, "people"), (Kind.ORGANIZATION, "organizations")):

    def _make(kind: str, path: str) -> None:
        @router.get(
            f"/{path}", response=CustomerPage, operation_id=f"list_{path}", summary=f"List {path}"
        )
        def list_(
            request: ApiRequest,
            filters: Query[ListFilters],
            cursor: str | None = None,
            order: str = "name",
            limit: int = 50,
        ) -> JsonResponse:
            return _list(request, kind, filters, cursor, order, limit)

        @router.post(
            f"/{path}",
            response={201: CustomerOut},
            operation_id=f"create_{path}",
            summary=f"Create one of {path}",
        )
        def create(request: ApiRequest, payload: CustomerIn) -> Status:
            return Status(201, _create(request, kind, payload))

        @router.get(
            f"/{path}/{{pk}}",
            response=CustomerOut,
            operation_id=f"get_{path}",
            summary=f"One of {path}",
        )
        def get(request: ApiRequest, pk: int) -> Customer:
            return _get(request, kind, pk)

        @router.patch(
            f"/{path}/{{pk}}",
            response=CustomerOut,
            operation_id=f"update_{path}",
            summary=f"Update one of {path} (send its version)",
        )
        def patch(request: ApiRequest, pk: int, payload: CustomerPatch) -> Customer:
            return _patch(request, kind, pk, payload)

        @router.delete(
            f"/{path}/{{pk}}",
            response={204: None},
            operation_id=f"delete_{path}",
            summary=f"Delete one of {path}",
        )
        def delete(request: ApiRequest, pk: int, reassign_to: int | None = None) -> Status:
            return _delete(request, kind, pk, reassign_to)

    _make(_kind, _path)


class SearchHit(Schema):
    id: int
    kind: str
    name: str
    primary_email: str
    primary_phone: str
    city: str
    is_blacklisted: bool


@router.get("/search", response=list[SearchHit], summary="Search people and organisations")
def search_(request: ApiRequest, q: str, limit: int = 20) -> list[search.Hit]:
    user = check(request, "customers", "view")
    return search.search_customers(user, q, max(1, min(limit, 100)))


@router.get(
    "/{pk}/sensitive",
    response=SensitiveOut,
    summary="The customer's sensitive fields in plain text (every call is logged)",
)
def sensitive(request: ApiRequest, pk: int) -> dict[str, str]:
    """NIK and bank details in full, for roles that may see sensitive fields and tokens with the
    "privacy" scope (403 otherwise); 404 for records outside the caller's visibility. Each field
    read is one row in the read log."""
    customer = _get(request, None, pk)
    _sensitive_scope(request, {}, write=False)
    out = {"bank_name": customer.bank_name}
    for name in ("national_id", "bank_account"):
        try:
            out[name] = crypto.reveal(request.auth, customer, name, ReadChannel.API, request)
        except crypto.Unreadable as exc:
            raise HttpError(409, "A value cannot be decrypted with the configured keys.") from exc
    return out


# The sub-resources of one customer (timeline, relationships, notes, addresses, memberships,
# groups, the deprecated permissions) are registered on this router by api_children.
from relasi.customers import api_children  # noqa: E402, F401
