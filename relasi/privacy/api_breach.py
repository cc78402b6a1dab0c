"""Privacy API, breach register and ROPA: /api/v1/privacy/breaches and
/api/v1/privacy/processing (the consent ledger has its own router under /privacy/consents).
Module "privacy"; the affected people's contact list also needs customers/export."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from relasi.core.api import Id, PageOut, check, page_of
from relasi.privacy import breach, breach_letters, ropa
from relasi.privacy.models import BreachIncident, ProcessingActivity

breaches_router = Router(tags=["privacy"])
processing_router = Router(tags=["privacy"])

Text = Annotated[str, Field(max_length=20000)]
Short = Annotated[str, Field(max_length=200)]
Hours = Annotated[int, Field(ge=1, le=720)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# --- breaches -------------------------------------------------------------------------------------
class BreachIn(Schema):
    title: Short
    description: Text = ""
    discovered_at: dt.datetime | None = None
    occurred_at: dt.datetime | None = None
    occurred_approximate: bool = False
    status: str = "open"
    risk: str = "high"
    data_categories: list[Annotated[str, Field(max_length=30)]] = Field([], max_length=50)
    affected_scope: str = "unknown"
    affected_query: Annotated[str, Field(max_length=2000)] = ""
    measures: Text = ""
    consequences: Text = ""
    advice: Text = ""
    notify_within_hours: Hours | None = None


class BreachPatch(Schema):
    title: Short | None = None
    description: Text | None = None
    discovered_at: dt.datetime | None = None
    occurred_at: dt.datetime | None = None
    occurred_approximate: bool | None = None
    status: str | None = None
    risk: str | None = None
    data_categories: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=50)
    affected_scope: str | None = None
    affected_query: Annotated[str, Field(max_length=2000)] | None = None
    measures: Text | None = None
    consequences: Text | None = None
    advice: Text | None = None
    notify_within_hours: Hours | None = None
    version: Version | None = None


class BreachOut(Schema):
    id: int
    title: str
    description: str
    discovered_at: dt.datetime
    occurred_at: dt.datetime | None
    occurred_approximate: bool
    status: str
    risk: str
    data_categories: list[str]
    affected_scope: str
    affected_query: str
    affected_count: int | None
    snapshot_at: dt.datetime | None
    measures: str
    consequences: str
    advice: str
    notify_within_hours: int
    deadline: dt.datetime
    clock: str
    seconds_left: int
    authority_notified_at: dt.datetime | None
    authority_reference: str
    people_notified_at: dt.datetime | None
    people_notice_channel: str
    reported_by_id: int | None
    version: int

    @staticmethod
    def resolve_clock(obj: BreachIncident) -> str:
        return obj.clock().state

    @staticmethod
    def resolve_seconds_left(obj: BreachIncident) -> int:
        return obj.clock().seconds_left


class NoticeIn(Schema):
    audience: Annotated[str, Field(max_length=20)]
    at: dt.datetime | None = None
    reference: Short = ""


class PersonOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str


class LetterOut(Schema):
    audience: str
    language: str
    html: str


def _incident(request: HttpRequest, pk: int, action: str) -> tuple[Any, BreachIncident]:
    user = check(request, "privacy", action)
    return user, get_object_or_404(BreachIncident, pk=pk)


def _breach_data(payload: Schema, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    data.pop("version", None)
    for name in ("discovered_at", "occurred_at"):
        if name in data:
            data[name] = _aware(data[name])
    if data.get("discovered_at") is None:
        data.pop("discovered_at", None)
    if data.get("notify_within_hours") is None:
        data.pop("notify_within_hours", None)
    if partial:
        nullable = ("occurred_at",)
        data = {k: v for k, v in data.items() if v is not None or k in nullable}
    return data


@breaches_router.get("", response=PageOut[BreachOut])
def list_breaches(
    request: HttpRequest,
    status: Annotated[str, Field(max_length=20)] | None = None,
    open_clock: bool | None = None,
    cursor: Annotated[str, Field(max_length=200)] | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> Any:
    check(request, "privacy", "view")
    qs = BreachIncident.objects.all()
    if status:
        qs = qs.filter(status=status)
    if open_clock:
        qs = qs.filter(pk__in=breach.open_incidents().values("pk"))
    return page_of(qs, order="-pk", cursor=cursor, limit=limit)


@breaches_router.get("/{int:breach_id}", response=BreachOut)
def get_breach(request: HttpRequest, breach_id: Id) -> Any:
    return _incident(request, breach_id, "view")[1]


@breaches_router.post("", response={201: BreachOut})
def create_breach(request: HttpRequest, payload: BreachIn) -> Any:
    user = check(request, "privacy", "add")
    return Status(201, breach.create_incident(user, _breach_data(payload, partial=False)))


@breaches_router.patch("/{int:breach_id}", response=BreachOut)
def update_breach(request: HttpRequest, breach_id: Id, payload: BreachPatch) -> Any:
    user, incident = _incident(request, breach_id, "change")
    return breach.update_incident(
        user, incident, _breach_data(payload, partial=True), expected_version=payload.version
    )


@breaches_router.delete("/{int:breach_id}", response={204: None})
def delete_breach(request: HttpRequest, breach_id: Id) -> Any:
    user, incident = _incident(request, breach_id, "delete")
    breach.delete_incident(user, incident)
    return Status(204, None)


@breaches_router.post("/{int:breach_id}/notices", response=BreachOut)
def record_notice(request: HttpRequest, breach_id: Id, payload: NoticeIn) -> Any:
    """Record that the authority or the people were notified (people: freezes who was told)."""
    user, incident = _incident(request, breach_id, "change")
    return breach.record_notice(
        user, incident, payload.audience, at=_aware(payload.at), reference=payload.reference
    )


@breaches_router.get("/{int:breach_id}/people", response=PageOut[PersonOut])
def affected_people(
    request: HttpRequest,
    breach_id: Id,
    cursor: Annotated[str, Field(max_length=200)] | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 100,
) -> Any:
    """The affected people with their contact details (the frozen list once notified)."""
    user, incident = _incident(request, breach_id, "export")
    check(request, "customers", "export")
    from relasi.core import audit
    from relasi.core.choices import AuditAction

    if cursor is None:
        audit.record(user, AuditAction.EXPORT, incident, message="affected people (API)")
    page = page_of(breach.affected_people(incident, user), order="pk", cursor=cursor, limit=limit)
    page["items"] = [
        {
            "id": c.pk,
            "name": c.name,
            "email": c.primary_email,
            "phone": c.primary_phone,
            "language": c.preferred_language,
        }
        for c in page["items"]
    ]
    return page


@breaches_router.get("/{int:breach_id}/letters/{audience}/{lang}", response=LetterOut)
def get_letter(request: HttpRequest, breach_id: Id, audience: str, lang: str) -> Any:
    """The notice to `authority` or `people` in `id` or `en`, as HTML."""
    user, incident = _incident(request, breach_id, "view")
    if audience not in ("authority", "people") or lang not in breach_letters.LANGUAGES:
        from django.http import Http404

        raise Http404
    breach.record_letter(user, incident, audience, lang, "api")
    html = breach_letters.render_html(incident, audience, lang)
    return {"audience": audience, "language": lang, "html": html}


# --- processing activities (ROPA) ---------------------------------------------------------------
Long = Annotated[str, Field(max_length=5000)]
Mid = Annotated[str, Field(max_length=2000)]


class ProcessingIn(Schema):
    name: Annotated[str, Field(max_length=150)]
    name_id: Annotated[str, Field(max_length=150)] = ""
    purpose_id: Id | None = None
    description: Long = ""
    description_id: Long = ""
    basis: Annotated[str, Field(max_length=25)] = "contract"
    subject_categories: list[Annotated[str, Field(max_length=30)]] = Field([], max_length=20)
    data_categories: list[Annotated[str, Field(max_length=30)]] = Field([], max_length=50)
    recipients_internal: Mid = ""
    processors: Mid = ""
    partners: Mid = ""
    transfers_abroad: bool = False
    transfer_destinations: Mid = ""
    transfer_safeguards: Mid = ""
    retention: Mid = ""
    security_measures: Long = ""
    active: bool = True
    sort_order: Annotated[int, Field(ge=0, le=32767)] = 0


class ProcessingPatch(Schema):
    name: Annotated[str, Field(max_length=150)] | None = None
    name_id: Annotated[str, Field(max_length=150)] | None = None
    purpose_id: Id | None = None
    description: Long | None = None
    description_id: Long | None = None
    basis: Annotated[str, Field(max_length=25)] | None = None
    subject_categories: list[Annotated[str, Field(max_length=30)]] | None = Field(
        None, max_length=20
    )
    data_categories: list[Annotated[str, Field(max_length=30)]] | None = Field(None, max_length=50)
    recipients_internal: Mid | None = None
    processors: Mid | None = None
    partners: Mid | None = None
    transfers_abroad: bool | None = None
    transfer_destinations: Mid | None = None
    transfer_safeguards: Mid | None = None
    retention: Mid | None = None
    security_measures: Long | None = None
    active: bool | None = None
    sort_order: Annotated[int, Field(ge=0, le=32767)] | None = None
    version: Version | None = None


class ProcessingOut(Schema):
    id: int
    key: str
    name: str
    name_id: str
    purpose_id: int | None
    description: str
    description_id: str
    basis: str
    subject_categories: list[str]
    data_categories: list[str]
    recipients_internal: str
    processors: str
    partners: str
    transfers_abroad: bool
    transfer_destinations: str
    transfer_safeguards: str
    retention: str
    security_measures: str
    active: bool
    sort_order: int
    version: int


def _processing_data(payload: Schema, partial: bool) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    from relasi.privacy.models import Purpose

    data = payload.dict(exclude_unset=partial)
    data.pop("version", None)
    if "purpose_id" in data:
        pid = data.pop("purpose_id")
        data["purpose"] = Purpose.objects.filter(pk=pid).first() if pid else None
        if pid and data["purpose"] is None:
            raise ValidationError({"purpose_id": ["Unknown purpose."]})
    if partial:
        data = {k: v for k, v in data.items() if v is not None or k == "purpose"}
    return data


def _activity(request: HttpRequest, pk: int, action: str) -> tuple[Any, ProcessingActivity]:
    user = check(request, "privacy", action)
    return user, get_object_or_404(ProcessingActivity, pk=pk)


@processing_router.get("", response=PageOut[ProcessingOut])
def list_processing(
    request: HttpRequest,
    active: bool | None = None,
    q: Annotated[str, Field(max_length=100)] | None = None,
    cursor: Annotated[str, Field(max_length=200)] | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> Any:
    check(request, "privacy", "view")
    qs = ProcessingActivity.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_id__icontains=q))
    return page_of(qs, order="pk", cursor=cursor, limit=limit)


@processing_router.get("/{int:activity_id}", response=ProcessingOut)
def get_processing(request: HttpRequest, activity_id: Id) -> Any:
    return _activity(request, activity_id, "view")[1]


@processing_router.post("", response={201: ProcessingOut})
def create_processing(request: HttpRequest, payload: ProcessingIn) -> Any:
    user = check(request, "privacy", "add")
    return Status(201, ropa.create_activity(user, _processing_data(payload, partial=False)))


@processing_router.patch("/{int:activity_id}", response=ProcessingOut)
def update_processing(request: HttpRequest, activity_id: Id, payload: ProcessingPatch) -> Any:
    user, activity = _activity(request, activity_id, "change")
    return ropa.update_activity(
        user, activity, _processing_data(payload, partial=True), expected_version=payload.version
    )


@processing_router.delete("/{int:activity_id}", response={204: None})
def delete_processing(request: HttpRequest, activity_id: Id) -> Any:
    user, activity = _activity(request, activity_id, "delete")
    ropa.delete_activity(user, activity)
    return Status(204, None)
