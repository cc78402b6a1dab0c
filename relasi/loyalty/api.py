"""Loyalty API (/api/v1/loyalty): programmes, enrolment, members (by id or card number or
phone), their ledger, redemption (idempotent by `external_ref`), adjustments, reversals,
transfers and the liability report. Members are visible as their customers are."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from relasi.core.access import get_for_user, visible_to
from relasi.core.api import Id, PageOut, check, page_of
from relasi.loyalty import actions, reports
from relasi.loyalty.choices import EnrolChannel
from relasi.loyalty.models import LedgerEntry, Member, Programme

router = Router(tags=["loyalty"])


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    active: bool
    currency: str
    starts_on: dt.date
    earn_spend: Decimal
    earn_points: int
    rounding: str
    point_value: Decimal
    min_redemption: int
    max_redeem_percent: int
    first_purchase_bonus: int
    birthday_multiplier: Decimal
    expiry_mode: str
    expiry_months: int


class MemberOut(Schema):
    id: int
    programme_id: int
    customer_id: int
    number: str
    status: str
    enrolled_at: dt.datetime
    channel: str
    home_store_id: int | None
    balance: int
    balance_value: Decimal


class EnrolIn(Schema):
    programme_id: Id
    customer_id: Id | None = Field(None, description="An existing person; else one is created")
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    gender: str = ""
    occupation: str = ""
    income_band: str = ""
    region: str = ""
    preferred_language: str = ""
    email: str = ""
    phone: str = ""
    consents: dict[str, bool] = Field(
        default_factory=dict, description='Marketing consent per channel: {"whatsapp": true}'
    )
    consent_wording: str = ""
    home_store_id: Id | None = None


class EntryOut(Schema):
    id: int
    kind: str
    points: int
    amount: Decimal
    occurred_at: dt.datetime
    expires_at: dt.datetime | None
    order_id: int | None
    store_id: int | None
    staff_id: int | None
    reason: str
    reverses_id: int | None
    external_ref: str


class PostedOut(Schema):
    created: bool
    entry: EntryOut
    balance: int


class RedeemIn(Schema):
    points: int = Field(..., gt=0, le=10**12)
    external_ref: str = Field("", max_length=120, description="Re-sending it never spends twice")
    order_id: Id | None = None
    reason: str = ""


class AdjustIn(Schema):
    points: int = Field(..., ge=-(10**12), le=10**12)
    reason: str
    external_ref: str = Field("", max_length=120)


class ReverseIn(Schema):
    reason: str


class TransferIn(Schema):
    to_member_id: Id
    points: int = Field(..., gt=0, le=10**12)
    reason: str = ""
    external_ref: str = Field("", max_length=120)


class StoreLiabilityOut(Schema):
    store_id: int | None
    store: str
    members: int
    points: int
    value: Decimal


class ScheduleOut(Schema):
    month: dt.date
    points: int
    value: Decimal


class LiabilityOut(Schema):
    programme_id: int
    programme: str
    members: int
    points: int
    value: Decimal
    stores: list[StoreLiabilityOut]
    expiry_schedule: list[ScheduleOut]


def _members(user: Any) -> Any:
    return visible_to(user, Member.objects.select_related("programme"))


def _posted(posted: Any, member: Member) -> dict[str, Any]:
    member.refresh_from_db(fields=["balance"])
    return {"created": posted.created, "entry": posted.entry, "balance": member.balance}


@router.get("/programmes", response=list[ProgrammeOut])
def list_programmes(request: HttpRequest) -> Any:
    check(request, "loyalty", "view")
    return list(Programme.objects.all()[:200])


@router.get("/programmes/{int:programme_id}", response=ProgrammeOut)
def get_programme(request: HttpRequest, programme_id: int) -> Any:
    check(request, "loyalty", "view")
    return get_object_or_404(Programme, pk=programme_id)  # configuration: not per-record


@router.post("/members", response={201: MemberOut})
def enrol(request: HttpRequest, body: EnrolIn) -> Any:
    """Enrol a person: the form's fields go to their customer record, the consents to the
    privacy ledger."""
    from relasi.commerce.models import Store
    from relasi.customers.models import Customer

    user = check(request, "loyalty", "add")
    programme = get_object_or_404(Programme, pk=body.programme_id)
    customer = None
    if body.customer_id:
        check(request, "customers", "change")
        customer = get_for_user(user, Customer.objects.all(), pk=body.customer_id)
    else:
        check(request, "customers", "add")
    store = Store.objects.filter(pk=body.home_store_id).first() if body.home_store_id else None
    data = body.dict()
    member = actions.enrol(
        user,
        programme,
        customer=customer,
        form={k: data[k] for k in actions.FORM_FIELDS},
        email=body.email,
        phone=body.phone,
        consents=body.consents,
        consent_wording=body.consent_wording,
        channel=EnrolChannel.API,
        store=store,
    )
    return Status(201, member)


@router.get("/members", response=PageOut[MemberOut])
def list_members(
    request: HttpRequest,
    cursor: str | None = None,
    programme_id: Id | None = None,
    customer_id: Id | None = None,
    limit: Id = 50,
) -> Any:
    check(request, "loyalty", "view")
    qs = _members(request.auth)  # type: ignore[attr-defined]
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return page_of(qs, order="-pk", cursor=cursor, limit=min(max(limit, 1), 200))


@router.get("/members/lookup", response=MemberOut)
def lookup(request: HttpRequest, number: str = "", phone: str = "") -> Any:
    """By card number (as printed or scanned) or by phone, normalised as everywhere in Relasi."""
    from django.http import Http404

    check(request, "loyalty", "view")
    qs = _members(request.auth)  # type: ignore[attr-defined]
    if number.strip():
        return get_for_user(request.auth, qs, number="".join(number.split()))  # type: ignore[attr-defined]
    if phone.strip():
        from relasi.customers.phones import to_e164

        e164 = to_e164(phone.strip())
        found = qs.filter(customer__phones__number=e164).order_by("pk").first() if e164 else None
        if found:
            return found
    raise Http404


@router.get("/members/{int:member_id}", response=MemberOut)
def get_member(request: HttpRequest, member_id: int) -> Any:
    check(request, "loyalty", "view")
    return get_for_user(request.auth, _members(request.auth), pk=member_id)  # type: ignore[attr-defined]


@router.get("/members/{int:member_id}/ledger", response=PageOut[EntryOut])
def member_ledger(
    request: HttpRequest, member_id: int, cursor: str | None = None, limit: Id = 50
) -> Any:
    check(request, "loyalty", "view")
    member = get_for_user(request.auth, _members(request.auth), pk=member_id)  # type: ignore[attr-defined]
    qs = LedgerEntry.objects.filter(member=member)
    return page_of(qs, order="-pk", cursor=cursor, limit=min(max(limit, 1), 200))


@router.post("/members/{int:member_id}/redeem", response={200: PostedOut, 201: PostedOut})
def redeem(request: HttpRequest, member_id: int, body: RedeemIn) -> Any:
    """Spend points; 201 when spent now, 200 when `external_ref` was spent before."""
    from relasi.commerce.models import Order

    user = check(request, "loyalty", "change")
    member = get_for_user(user, _members(user), pk=member_id)
    order = get_for_user(user, Order.objects.all(), pk=body.order_id) if body.order_id else None
    posted = actions.redeem(
        user, member, body.points, external_ref=body.external_ref, order=order, reason=body.reason
    )
    out = _posted(posted, member)
    return Status(201, out) if posted.created else out


@router.post("/members/{int:member_id}/adjust", response={200: PostedOut, 201: PostedOut})
def adjust(request: HttpRequest, member_id: int, body: AdjustIn) -> Any:
    user = check(request, "loyalty", "change")
    member = get_for_user(user, _members(user), pk=member_id)
    posted = actions.adjust(user, member, body.points, body.reason, body.external_ref)
    out = _posted(posted, member)
    return Status(201, out) if posted.created else out


@router.post("/members/{int:member_id}/transfer", response={201: PostedOut})
def transfer(request: HttpRequest, member_id: int, body: TransferIn) -> Any:
    user = check(request, "loyalty", "change")
    source = get_for_user(user, _members(user), pk=member_id)
    target = get_for_user(user, _members(user), pk=body.to_member_id)
    out, _in = actions.transfer(user, source, target, body.points, body.reason, body.external_ref)
    source.refresh_from_db(fields=["balance"])
    return Status(201, {"created": True, "entry": out, "balance": source.balance})


@router.post("/entries/{int:entry_id}/reverse", response={200: PostedOut, 201: PostedOut})
def reverse(request: HttpRequest, entry_id: int, body: ReverseIn) -> Any:
    user = check(request, "loyalty", "change")
    entry = get_for_user(user, LedgerEntry.objects.select_related("member"), pk=entry_id)
    posted = actions.reverse(user, entry, body.reason)
    out = _posted(posted, entry.member)
    return Status(201, out) if posted.created else out


@router.get("/reports/liability", response=list[LiabilityOut])
def liability(request: HttpRequest) -> Any:
    user = check(request, "loyalty", "view")
    return [
        {
            "programme_id": r.programme.pk,
            "programme": r.programme.name,
            "members": r.members,
            "points": r.points,
            "value": r.value,
            "stores": [s.__dict__ for s in r.stores],
            "expiry_schedule": [{"month": m, "points": p, "value": v} for m, p, v in r.schedule],
        }
        for r in reports.liability(visible_to(user, Member.objects.all()))
    ]
