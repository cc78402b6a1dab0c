"""Privacy API: purposes, a customer's consents and their ledger, "may I contact?", the
campaign-sized contactable set, keyword replies from gateways and the suppression list."""

import datetime as dt
from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from relasi.core.access import get_for_user, visible_to
from relasi.core.api import PageOut, check, page_of
from relasi.core.typing import ApiRequest
from relasi.customers.models import Customer
from relasi.privacy import consent, gate, keywords, suppression
from relasi.privacy.choices import Channel, ConsentSource
from relasi.privacy.models import ConsentState, Purpose, Suppression, SuppressionReason

router = Router(tags=["privacy"])

# Sources an API client may state; the others are Relasi's own flows (links, migration).
API_SOURCES = [
    ConsentSource.API,
    ConsentSource.WEB_FORM,
    ConsentSource.PORTAL,
    ConsentSource.STAFF,
    ConsentSource.STAFF_CALL,
    ConsentSource.IMPORT,
    ConsentSource.WHATSAPP_REPLY,
    ConsentSource.SMS_REPLY,
]
ChannelName = Literal["email", "whatsapp", "sms", "phone", "post"]


class PurposeOut(Schema):
    key: str
    name: str
    name_id: str
    description: str
    description_id: str
    basis: str
    blocked_by_blacklist: bool
    respects_quiet_hours: bool
    capped: bool
    active: bool


class StateOut(Schema):
    purpose: str
    channel: str
    status: str
    since: dt.datetime
    event_id: int
    source: str


class EventOut(Schema):
    id: int
    customer_id: int
    purpose: str
    channel: str
    status: str
    basis: str
    source: str
    wording: str
    wording_version: str
    evidence: str
    ip_address: str | None
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor_id: int | None


class ConsentIn(Schema):
    purpose: str
    channel: ChannelName
    status: Literal["granted", "withdrawn"]
    source: Literal[
        "api", "web_form", "portal", "staff", "staff_call", "import", "whatsapp_reply", "sms_reply"
    ] = "api"
    basis: str = ""
    wording: str = ""
    wording_version: str = ""
    evidence: str = ""
    occurred_at: dt.datetime | None = None


class DecisionOut(Schema):
    purpose: str
    channel: str
    allowed: bool
    reason: str
    message: str
    not_before: dt.datetime | None = None


class ContactableOut(Schema):
    purpose: str
    channel: str
    count: int
    ids: list[int]
    next_after: int | None = None


class ReplyIn(Schema):
    channel: Literal["whatsapp", "sms"]
    sender: str
    text: str
    message_id: str = ""


class ReplyOut(Schema):
    action: str
    changed: int
    customers: list[int]
    reply: str


class SuppressionIn(Schema):
    channel: ChannelName
    address: str
    reason: Literal["unsubscribed", "bounced", "complaint", "stop", "manual"] = "manual"
    note: str = ""


class SuppressionOut(Schema):
    id: int
    channel: str
    address: str
    reason: str
    note: str
    created_at: dt.datetime


def _event_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "customer_id": e.customer_id,
        "purpose": e.purpose.key,
        "channel": e.channel,
        "status": e.status,
        "basis": e.basis,
        "source": e.source,
        "wording": e.wording,
        "wording_version": e.wording_version,
        "evidence": e.evidence,
        "ip_address": e.ip_address,
        "occurred_at": e.occurred_at,
        "recorded_at": e.recorded_at,
        "actor_id": e.actor_id,
    }


def _customer(request: ApiRequest, pk: int, action: str = "view") -> Customer:
    user = check(request, "customers", action)
    return get_for_user(user, Customer.objects.all(), pk=pk)


def _decision_out(purpose: str, channel: str, d: gate.Decision) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "channel": channel,
        "allowed": d.allowed,
        "reason": d.reason,
        "message": d.message,
        "not_before": d.not_before,
    }


@router.get("/purposes", response=list[PurposeOut], summary="Purposes personal data is used for")
def purposes(request: ApiRequest) -> Any:
    check(request, "customers", "view")
    consent.ensure_defaults()
    return list(Purpose.objects.all())


@router.get(
    "/customers/{pk}/consents",
    response=list[StateOut],
    summary="A customer's current consent per purpose and channel",
)
def states(request: ApiRequest, pk: int) -> Any:
    customer = _customer(request, pk)
    rows = ConsentState.objects.filter(customer=customer).select_related("purpose", "event")
    return [
        {
            "purpose": s.purpose.key,
            "channel": s.channel,
            "status": s.status,
            "since": s.occurred_at,
            "event_id": s.event_id,
            "source": s.event.source,
        }
        for s in rows.order_by("purpose__sort_order", "channel")
    ]


@router.get(
    "/customers/{pk}/consent-events",
    response=PageOut[EventOut],
    summary="A customer's consent ledger, newest first",
)
def events(
    request: ApiRequest, pk: int, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    customer = _customer(request, pk)
    page = page_of(
        customer.consent_events.select_related("purpose"),
        order="-id",
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )
    page["items"] = [_event_out(e) for e in page["items"]]
    return page


@router.post(
    "/customers/{pk}/consents",
    response={201: EventOut},
    summary="Record a consent change (a grant needing confirmation is stored as pending)",
)
def record(request: ApiRequest, pk: int, payload: ConsentIn) -> Any:
    customer = _customer(request, pk, "change")
    event = consent.record(
        request.auth,
        customer,
        payload.purpose,
        payload.channel,
        payload.status,
        source=payload.source,
        basis=payload.basis,
        wording=payload.wording,
        version=payload.wording_version,
        evidence=payload.evidence,
        occurred_at=payload.occurred_at,
    )
    event.refresh_from_db()
    return Status(201, _event_out(event))


@router.get(
    "/customers/{pk}/contactability",
    response=list[DecisionOut],
    summary="May this customer be contacted now? Per purpose and channel, with the reason",
)
def contactability(
    request: ApiRequest,
    pk: int,
    purpose: str | None = None,
    channel: ChannelName | None = None,
) -> Any:
    customer = _customer(request, pk)
    keys = (
        [purpose]
        if purpose
        else list(Purpose.objects.filter(active=True).values_list("key", flat=True))
    )
    channels = [channel] if channel else list(Channel.values)
    return [
        _decision_out(k, ch, gate.may_contact(customer, ch, k)) for k in keys for ch in channels
    ]


class ContactableQuery(Schema):
    purpose: str = "marketing"
    channel: ChannelName = "email"
    after: int | None = None
    limit: int = 1000


@router.get(
    "/contactable",
    response=ContactableOut,
    summary="Every visible customer who may be contacted now for a purpose on a channel",
)
def contactable(request: ApiRequest, params: Query[ContactableQuery]) -> Any:
    user = check(request, "customers", "view")
    visible = visible_to(user, Customer.objects.all())
    ids = gate.filter_contactable(params.channel, params.purpose, customers=visible)
    limit = max(1, min(params.limit, 10000))
    page = ids.order_by("customer_id" if ids.model is ConsentState else "pk")
    column = "customer_id" if ids.model is ConsentState else "pk"
    if params.after is not None:
        page = page.filter(**{f"{column}__gt": params.after})
    chunk = list(page[: limit + 1])
    return {
        "purpose": params.purpose,
        "channel": params.channel,
        "count": ids.count(),
        "ids": chunk[:limit],
        "next_after": chunk[limit - 1] if len(chunk) > limit else None,
    }


@router.post(
    "/replies",
    response=ReplyOut,
    summary="An inbound WhatsApp/SMS message from a gateway: YA confirms, STOP/BERHENTI withdraws",
)
def replies(request: ApiRequest, payload: ReplyIn) -> Any:
    check(request, "privacy", "change")
    evidence = f"{payload.channel} {payload.message_id}".strip() if payload.message_id else ""
    result = keywords.handle_reply(payload.channel, payload.sender, payload.text, evidence)
    return {
        "action": result.action,
        "changed": result.changed,
        "customers": result.customers,
        "reply": result.reply,
    }


@router.get("/suppressions", response=PageOut[SuppressionOut], summary="The suppression list")
def suppressions(
    request: ApiRequest, q: str | None = None, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    check(request, "privacy", "view")
    rows = Suppression.objects.all()
    if q:
        rows = rows.filter(address__icontains=q)
    return page_of(rows, order="-id", cursor=cursor, limit=max(1, min(limit, 200)))


@router.post("/suppressions", response={201: SuppressionOut})
def add_suppression(request: ApiRequest, payload: SuppressionIn) -> Any:
    check(request, "privacy", "add")
    if not payload.address.strip():
        raise HttpError(422, "address is required")
    reason = SuppressionReason(payload.reason)
    row = suppression.suppress(
        payload.channel, payload.address, reason, note=payload.note, actor=request.auth
    )
    return Status(201, row)


@router.delete("/suppressions/{pk}", response={204: None})
def delete_suppression(request: ApiRequest, pk: int) -> Any:
    check(request, "privacy", "delete")
    row = Suppression.objects.filter(pk=pk).first()
    if row is None:
        raise HttpError(404, "Not found")
    suppression.release(row, request.auth)
    return Status(204, None)
