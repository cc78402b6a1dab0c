"""Activities API (/api/v1/activities): tasks, calls, meetings and appointments, field visits
(check-in / check-out and the report), notifications and a calendar range query.

Every read goes through the same visibility as the UI (the access layer, widened for whoever
delegated an activity and for meeting participants); writes need the module permission and,
for changes, the record's `version` (409 when stale)."""

import datetime as dt
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError, ValidationError
from django.http import Http404, QueryDict
from ninja import Query, Router, Schema, Status
from pydantic import Field

from relasi.accounts.models import User
from relasi.activities import actions, report, selectors
from relasi.activities import calendar as cal
from relasi.activities.choices import MEETING_KINDS, Kind
from relasi.activities.choices import Status as ActivityStatus
from relasi.activities.filtersets import ActivityFilterSet, VisitFilterSet
from relasi.activities.models import Activity, Notification, Visit
from relasi.activities.selectors import next_activities_for, next_activity_for
from relasi.core import customfields
from relasi.core.access import get_for_user, visible_to
from relasi.core.api import check
from relasi.core.pagination import paginate
from relasi.core.typing import ApiRequest
from relasi.customers.models import Customer

__all__ = ["next_activities_for", "next_activity_for", "router"]

router = Router(tags=["activities"])
ORDERS = {"-created_at", "created_at", "-id", "id", "-updated_at", "updated_at"}


# --- schemas ------------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    priority: str
    progress: int
    due_at: dt.datetime | None
    ends_at: dt.datetime | None
    all_day: bool
    done_at: dt.datetime | None
    due_state: str
    owner_id: int | None
    team_id: int | None
    assigned_by_id: int | None
    customer_id: int | None
    linked_type: str | None
    linked_id: int | None
    direction: str
    outcome: str
    duration_minutes: int | None
    location: str
    online_url: str
    confirmation: str
    confirmation_note: str
    invitation_sent_at: dt.datetime | None
    responded_at: dt.datetime | None
    attendee_ids: list[int]
    contact_ids: list[int]
    custom: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_linked_type(obj: Activity) -> str | None:
        if not obj.content_type_id:
            return None
        ct = ContentType.objects.get_for_id(obj.content_type_id)
        return f"{ct.app_label}.{ct.model}"

    @staticmethod
    def resolve_linked_id(obj: Activity) -> int | None:
        return obj.object_id

    @staticmethod
    def resolve_attendee_ids(obj: Activity) -> list[int]:
        return [u.pk for u in obj.attendees.all()]

    @staticmethod
    def resolve_contact_ids(obj: Activity) -> list[int]:
        return [link.customer_id for link in obj.contact_links.all()]


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None = None
    prev_cursor: str | None = None


class _Common(Schema):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    linked_type: str | None = Field(default=None, description='e.g. "sales.deal"')
    linked_id: int | None = None
    remind_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    custom: dict[str, Any] | None = None


class TaskIn(_Common):
    title: str = Field(max_length=200)  # type: ignore[assignment]
    priority: str | None = None
    status: str | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    due_at: dt.datetime | None = None
    all_day: bool = False


class CallIn(_Common):
    direction: str = "outbound"
    outcome: str = ""
    due_at: dt.datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=0)
    planned: bool = False


class MeetingIn(_Common):
    title: str = Field(max_length=200)  # type: ignore[assignment]
    kind: str = Kind.APPOINTMENT
    due_at: dt.datetime
    ends_at: dt.datetime | None = None
    location: str = ""
    online_url: str = ""
    confirmation: str | None = None
    attendee_ids: list[int] | None = None
    contact_ids: list[int] | None = None
    remind_customer_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    send_invitation: bool = False


class ActivityPatch(Schema):
    version: int
    title: str | None = Field(default=None, max_length=200)
    description: str | None = None
    status: str | None = None
    priority: str | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    due_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    all_day: bool | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    direction: str | None = None
    outcome: str | None = None
    duration_minutes: int | None = None
    location: str | None = None
    online_url: str | None = None
    confirmation: str | None = None
    attendee_ids: list[int] | None = None
    contact_ids: list[int] | None = None
    remind_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    custom: dict[str, Any] | None = None


class VersionIn(Schema):
    version: int | None = None


class Filters(Schema):
    scope: str | None = Field(default=None, description="mine, team, delegated or all (default)")
    q: str | None = None
    state: str | None = Field(default=None, description="overdue, today, planned, none, done")
    status: list[str] | None = None
    priority: str | None = None
    outcome: str | None = None
    confirmation: str | None = None
    owner: int | None = None
    team: int | None = None
    customer: int | None = None
    due_after: dt.date | None = None
    due_before: dt.date | None = None


class CalendarItemOut(Schema):
    kind: str
    title: str
    start: dt.datetime
    end: dt.datetime | None
    all_day: bool
    url: str
    owner: str
    owner_id: int | None
    customer: str
    done: bool


class CheckInIn(Schema):
    customer_id: int
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    accuracy: float | None = Field(default=None, ge=0)
    activity_id: int | None = None


class CheckOutIn(Schema):
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    accuracy: float | None = Field(default=None, ge=0)
    outcome: str = ""
    notes: str = ""
    version: int | None = None


class VisitOut(Schema):
    id: int
    customer_id: int
    owner_id: int | None
    activity_id: int | None
    checked_in_at: dt.datetime
    in_lat: float | None
    in_lng: float | None
    in_accuracy_m: int | None
    in_distance_m: int | None
    site_lat: float | None
    site_lng: float | None
    checked_out_at: dt.datetime | None
    out_lat: float | None
    out_lng: float | None
    out_accuracy_m: int | None
    out_distance_m: int | None
    minutes_on_site: int | None
    is_anomaly: bool
    outcome: str
    notes: str
    version: int


class VisitPage(Schema):
    items: list[VisitOut]
    next_cursor: str | None = None
    prev_cursor: str | None = None


class VisitFilters(Schema):
    owner: int | None = None
    team: int | None = None
    customer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outcome: str | None = None
    open: bool | None = None
    anomaly: bool | None = None


class ReportRowOut(Schema):
    day: dt.date
    owner_id: int | None
    owner: str
    team: str
    visits: int
    minutes_on_site: int
    open: int
    anomalies: int
    unknown_distance: int
    first_in: dt.datetime | None
    last_out: dt.datetime | None


class NotificationOut(Schema):
    id: int
    text: str
    url: str
    kind: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None = None


class ReadAllIn(Schema):
    up_to_id: int


# --- helpers ------------------------------------------------------------------------------------


def _qs(user: Any, kinds: tuple[str, ...]) -> Any:
    return selectors.visible_activities(
        user, Activity.objects.filter(kind__in=kinds)
    ).prefetch_related("attendees", "contact_links")


def _get(request: ApiRequest, kinds: tuple[str, ...], pk: int, action: str = "view") -> Activity:
    user = check(request, "activities", action)
    try:
        return _qs(user, kinds).get(pk=pk)
    except Activity.DoesNotExist as exc:
        raise Http404 from exc


def _querydict(params: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return data


def _list(
    request: ApiRequest,
    kinds: tuple[str, ...],
    filters: Filters,
    cursor: str | None,
    order: str,
    limit: int,
) -> dict[str, Any]:
    user = check(request, "activities", "view")
    params = filters.dict(exclude_none=True)
    scope = params.pop("scope", "all")
    qs = selectors.scoped(user, scope).filter(kind__in=kinds)
    if params:
        fs = ActivityFilterSet(_querydict(params), queryset=qs)
        if not fs.is_valid():
            raise ValidationError(fs.errors.get_json_data())
        qs = fs.qs
    page = paginate(
        qs.prefetch_related("attendees", "contact_links"),
        order=order if order in ORDERS else "-created_at",
        after=cursor,
        limit=max(1, min(limit, 200)),
    )
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


def _user(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({"owner_id": ["Unknown user."]})
    return user


def _resolve(user: Any, raw: dict[str, Any], current: Activity | None = None) -> dict[str, Any]:
    """Turn ids into objects the user may see (404 for an invisible customer)."""
    data = dict(raw)
    if "owner_id" in data:
        owner = _user(data.pop("owner_id"))
        if owner is not None:
            data["owner"] = owner
    if "customer_id" in data:
        cid = data.pop("customer_id")
        data["customer"] = get_for_user(user, Customer.objects.all(), pk=cid) if cid else None
    linked_type, linked_id = data.pop("linked_type", None), data.pop("linked_id", None)
    if linked_type and linked_id:
        try:
            model = apps.get_model(linked_type)
            obj = get_for_user(user, model._default_manager.all(), pk=linked_id)
        except (LookupError, ValueError, FieldError) as exc:
            raise ValidationError({"linked_type": ["Unknown record type."]}) from exc
        data["content_type"], data["object_id"] = ContentType.objects.get_for_model(obj), obj.pk
    if "custom" in data or current is None:
        existing = (current.custom or {}) if current is not None else {}
        data["custom"] = customfields.clean_values(
            Activity, {**existing, **(data.get("custom") or {})}
        )
    for key in ("description", "location", "online_url", "outcome", "direction", "confirmation"):
        if key in data and data[key] is None:
            data[key] = ""
    return data


def _people(user: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    attendee_ids = data.pop("attendee_ids", None)
    contact_ids = data.pop("contact_ids", None)
    attendees = (
        list(User.objects.filter(pk__in=attendee_ids, is_active=True))
        if attendee_ids is not None
        else None
    )
    contacts = None
    if contact_ids is not None:
        contacts = list(visible_to(user, Customer.objects.filter(pk__in=contact_ids)))
        if len(contacts) != len(set(contact_ids)):
            raise Http404
    return attendees, contacts


def _create(request: ApiRequest, kind: str, payload: Schema) -> Activity:
    user = check(request, "activities", "add")
    raw = payload.dict(exclude_unset=True)
    remind = raw.pop("remind_minutes", None)
    remind_customer = raw.pop("remind_customer_minutes", None)
    invite = raw.pop("send_invitation", False)
    planned = raw.pop("planned", False)
    raw.setdefault("kind", kind)
    if kind == Kind.CALL:
        raw["status"] = ActivityStatus.OPEN if planned else ActivityStatus.DONE
        if not raw.get("title"):
            raw["title"] = "Call"
    if raw["kind"] not in (MEETING_KINDS if kind in MEETING_KINDS else (kind,)):
        raise ValidationError({"kind": ["Not allowed here."]})
    attendees, contacts = _people(user, raw)
    data = _resolve(user, raw)
    activity = actions.create_activity(
        user,
        data,
        attendees=attendees,
        contacts=contacts,
        remind_minutes=remind,
        remind_customer_minutes=remind_customer,
    )
    if invite:
        actions.send_invitation(user, activity)
    return _get(request, (activity.kind,), activity.pk)


def _patch(
    request: ApiRequest, kinds: tuple[str, ...], pk: int, payload: ActivityPatch
) -> Activity:
    activity = _get(request, kinds, pk, "change")
    user = request.auth
    raw = payload.dict(exclude_unset=True)
    version = raw.pop("version")
    remind = raw.pop("remind_minutes", False) if "remind_minutes" in raw else False
    attendees, contacts = _people(user, raw)
    data = _resolve(user, raw, activity)
    actions.update_activity(
        user,
        activity,
        data,
        expected_version=version,
        attendees=attendees,
        contacts=contacts,
        remind_minutes=remind,
    )
    return _get(request, kinds, pk)


def _delete(request: ApiRequest, kinds: tuple[str, ...], pk: int) -> Status:
    activity = _get(request, kinds, pk, "delete")
    actions.delete_activity(request.auth, activity)
    return Status(204, None)


TASK = (Kind.TASK,)
CALL = (Kind.CALL,)
MEETING = tuple(MEETING_KINDS)
ANY = tuple(Kind.values)


# --- tasks, calls, meetings ---------------------------------------------------------------------


@router.get("/tasks", response=ActivityPage)
def list_tasks(
    request: ApiRequest,
    filters: Query[Filters],
    cursor: str | None = None,
    order: str = "-created_at",
    limit: int = 50,
) -> Any:
    return _list(request, TASK, filters, cursor, order, limit)


@router.post("/tasks", response={201: ActivityOut})
def create_task(request: ApiRequest, payload: TaskIn) -> Any:
    return Status(201, _create(request, Kind.TASK, payload))


@router.get("/tasks/{pk}", response=ActivityOut)
def get_task(request: ApiRequest, pk: int) -> Any:
    return _get(request, TASK, pk)


@router.patch("/tasks/{pk}", response=ActivityOut)
def patch_task(request: ApiRequest, pk: int, payload: ActivityPatch) -> Any:
    return _patch(request, TASK, pk, payload)


@router.delete("/tasks/{pk}", response={204: None})
def delete_task(request: ApiRequest, pk: int) -> Any:
    return _delete(request, TASK, pk)


@router.post("/items/{pk}/complete", response=ActivityOut)
def complete(request: ApiRequest, pk: int, payload: VersionIn) -> Any:
    """Mark any task, call or meeting done (409 when `version` is stale)."""
    activity = _get(request, ANY, pk, "change")
    actions.complete_activity(request.auth, activity, expected_version=payload.version)
    return _get(request, ANY, pk)


@router.get("/calls", response=ActivityPage)
def list_calls(
    request: ApiRequest,
    filters: Query[Filters],
    cursor: str | None = None,
    order: str = "-created_at",
    limit: int = 50,
) -> Any:
    return _list(request, CALL, filters, cursor, order, limit)


@router.post("/calls", response={201: ActivityOut})
def log_call(request: ApiRequest, payload: CallIn) -> Any:
    """Log a call (or plan one with `planned: true`)."""
    return Status(201, _create(request, Kind.CALL, payload))


@router.get("/calls/{pk}", response=ActivityOut)
def get_call(request: ApiRequest, pk: int) -> Any:
    return _get(request, CALL, pk)


@router.patch("/calls/{pk}", response=ActivityOut)
def patch_call(request: ApiRequest, pk: int, payload: ActivityPatch) -> Any:
    return _patch(request, CALL, pk, payload)


@router.delete("/calls/{pk}", response={204: None})
def delete_call(request: ApiRequest, pk: int) -> Any:
    return _delete(request, CALL, pk)


@router.get("/meetings", response=ActivityPage)
def list_meetings(
    request: ApiRequest,
    filters: Query[Filters],
    cursor: str | None = None,
    order: str = "-created_at",
    limit: int = 50,
) -> Any:
    """Meetings and appointments."""
    return _list(request, MEETING, filters, cursor, order, limit)


@router.post("/meetings", response={201: ActivityOut})
def create_meeting(request: ApiRequest, payload: MeetingIn) -> Any:
    if payload.kind not in MEETING_KINDS:
        raise ValidationError({"kind": ["Use meeting or appointment."]})
    return Status(201, _create(request, payload.kind, payload))


@router.get("/meetings/{pk}", response=ActivityOut)
def get_meeting(request: ApiRequest, pk: int) -> Any:
    return _get(request, MEETING, pk)


@router.patch("/meetings/{pk}", response=ActivityOut)
def patch_meeting(request: ApiRequest, pk: int, payload: ActivityPatch) -> Any:
    return _patch(request, MEETING, pk, payload)


@router.delete("/meetings/{pk}", response={204: None})
def delete_meeting(request: ApiRequest, pk: int) -> Any:
    return _delete(request, MEETING, pk)


@router.post("/meetings/{pk}/invite", response=ActivityOut)
def invite(request: ApiRequest, pk: int) -> Any:
    """E-mail the customer the appointment (.ics attached, signed confirm/decline link)."""
    activity = _get(request, MEETING, pk, "change")
    actions.send_invitation(request.auth, activity)
    return _get(request, MEETING, pk)


# --- calendar -----------------------------------------------------------------------------------


@router.get("/calendar", response=list[CalendarItemOut])
def calendar(request: ApiRequest, start: dt.date, end: dt.date, scope: str = "mine") -> Any:
    """Activities and visits from `start` up to (not including) `end`, at most 62 days;
    `scope` is "mine" or "team" (mine plus my team's)."""
    user = check(request, "activities", "view")
    if end <= start or (end - start).days > 62:
        raise ValidationError({"end": ["The range must be 1 to 62 days."]})
    items = cal.items(user, "team" if scope == "team" else "mine", cal.aware(start), cal.aware(end))
    return [item.__dict__ for item in items]


# --- visits -------------------------------------------------------------------------------------


def _visit(request: ApiRequest, pk: int, action: str = "view") -> Visit:
    user = check(request, "activities", action)
    return get_for_user(user, Visit.objects.all(), pk=pk)


@router.get("/visits", response=VisitPage)
def list_visits(
    request: ApiRequest, filters: Query[VisitFilters], cursor: str | None = None, limit: int = 50
) -> Any:
    user = check(request, "activities", "view")
    qs = visible_to(user, Visit.objects.all())
    params = filters.dict(exclude_none=True)
    if params:
        fs = VisitFilterSet(_querydict(params), queryset=qs)
        if not fs.is_valid():
            raise ValidationError(fs.errors.get_json_data())
        qs = fs.qs
    page = paginate(qs, order="-checked_in_at", after=cursor, limit=max(1, min(limit, 200)))
    return {"items": page.items, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@router.post("/visits", response={201: VisitOut})
def check_in(request: ApiRequest, payload: CheckInIn) -> Any:
    """Check in at a customer (position optional; the distance is computed when both the
    position and the customer's address coordinates are known)."""
    user = check(request, "activities", "add")
    customer = get_for_user(user, Customer.objects.all(), pk=payload.customer_id)
    planned = None
    if payload.activity_id:
        planned = selectors.visible_activities(user).filter(pk=payload.activity_id).first()
    visit = actions.check_in(
        user,
        customer,
        lat=payload.lat,
        lng=payload.lng,
        accuracy=payload.accuracy,
        activity=planned,
    )
    return Status(201, visit)


@router.get("/visits/report", response=list[ReportRowOut])
def visits_report(request: ApiRequest, filters: Query[VisitFilters]) -> Any:
    """Per rep per day: visits, minutes on site, open visits, distance anomalies."""
    user = check(request, "activities", "view")
    fs = VisitFilterSet(
        _querydict(filters.dict(exclude_none=True)), queryset=visible_to(user, Visit.objects.all())
    )
    if not fs.is_valid():
        raise ValidationError(fs.errors.get_json_data())
    return [row.__dict__ for row in report.rows(fs.qs)]


@router.get("/visits/{pk}", response=VisitOut)
def get_visit(request: ApiRequest, pk: int) -> Any:
    return _visit(request, pk)


@router.post("/visits/{pk}/check-out", response=VisitOut)
def check_out(request: ApiRequest, pk: int, payload: CheckOutIn) -> Any:
    visit = _visit(request, pk, "change")
    return actions.check_out(
        request.auth,
        visit,
        lat=payload.lat,
        lng=payload.lng,
        accuracy=payload.accuracy,
        outcome=payload.outcome,
        notes=payload.notes,
        expected_version=payload.version,
    )


# --- notifications ------------------------------------------------------------------------------


@router.get("/notifications", response=NotificationPage)
def list_notifications(
    request: ApiRequest, unread: bool = False, cursor: str | None = None, limit: int = 50
) -> Any:
    """The signed-in user's own notifications (newest first)."""
    qs = Notification.objects.filter(user=request.auth)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    page = paginate(qs, order="-pk", after=cursor, limit=max(1, min(limit, 200)))
    count = Notification.objects.filter(user=request.auth, read_at__isnull=True).count()
    return {"items": page.items, "unread": count, "next_cursor": page.next_cursor}


@router.post("/notifications/{pk}/read", response=NotificationOut)
def read_notification(request: ApiRequest, pk: int) -> Any:
    note = Notification.objects.filter(user=request.auth, pk=pk).first()
    if note is None:
        raise Http404
    actions.mark_read(request.auth, ids=[pk])
    note.refresh_from_db()
    return note


@router.post("/notifications/read-all", response=dict[str, int])
def read_all(request: ApiRequest, payload: ReadAllIn) -> Any:
    """Mark everything up to `up_to_id` (the newest one the client has shown) read."""
    return {"updated": actions.mark_read(request.auth, up_to=payload.up_to_id)}
