"""Service API (/api/v1/service): tickets (CRUD with version, transitions, assignment), replies
and notes, SLA clocks, queues, knowledge-base articles, survey answers and the service KPIs.

Every object is fetched through the access layer: a ticket outside the caller's visibility is a
404, as in the UI. Module permission "service" (view/add/change/delete) and token scopes apply.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from ninja import Field, Query, Router, Schema, Status

from relasi.accounts.models import Team, User
from relasi.core import customfields
from relasi.core.access import get_for_user, visible_to
from relasi.core.api import PageOut, check, page_of
from relasi.core.models import Tag
from relasi.core.typing import ApiRequest
from relasi.customers.models import Customer
from relasi.service import actions, kpis, search, sla
from relasi.service.choices import Channel, Priority, RootCause
from relasi.service.choices import Status as TicketStatus
from relasi.service.filtersets import TicketFilterSet
from relasi.service.models import (
    Article,
    Category,
    Queue,
    Survey,
    Ticket,
    TicketMessage,
    TicketType,
)

router = Router(tags=["service"])
TICKET_ORDERS = {"-created_at", "created_at", "-id", "id", "-last_activity_at", "last_activity_at"}


class TicketOut(Schema):
    id: int
    number: str
    ticket_type: str
    customer_id: int
    customer_name: str
    channel: str
    subject: str
    description: str
    category_id: int | None
    priority: str
    status: str
    queue_id: int | None
    owner_id: int | None = Field(description="The assignee")
    team_id: int | None
    sla_policy_id: int | None
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_minutes: int | None
    resolution_minutes: int | None
    first_response_breached: bool
    resolution_breached: bool
    escalation_level: int
    fcr: bool | None
    root_cause: str
    root_cause_detail: str
    resolution: str
    merged_into_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    last_activity_at: dt.datetime
    version: int
    tags: list[str]
    custom: dict[str, Any]

    @staticmethod
    def resolve_ticket_type(obj: Ticket) -> str:
        return obj.ticket_type.key

    @staticmethod
    def resolve_customer_name(obj: Ticket) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_tags(obj: Ticket) -> list[str]:
        return [t.name for t in obj.tags.all()]


class TicketIn(Schema):
    customer_id: int
    ticket_type: str = Field("question", description="A ticket type key, e.g. complaint")
    channel: Channel = Channel.PHONE
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    category_id: int | None = None
    priority: Priority = Priority.NORMAL
    queue_id: int | None = Field(None, description="Empty: routed by the routing rules")
    owner_id: int | None = Field(None, description="Empty: assigned by the queue's strategy")
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class TicketPatch(Schema):
    version: int
    ticket_type: str | None = None
    channel: Channel | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    category_id: int | None = None
    priority: Priority | None = None
    queue_id: int | None = None
    owner_id: int | None = None
    root_cause: RootCause | None = None
    root_cause_detail: str | None = None
    resolution: str | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class TransitionIn(Schema):
    status: TicketStatus
    version: int | None = None


class AssignIn(Schema):
    owner_id: int | None = None
    queue_id: int | None = None
    version: int | None = None


class MessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=20000)
    send_email: bool = True


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    author_id: int | None
    created_at: dt.datetime
    emailed_to: str
    emailed_at: dt.datetime | None


class ClockOut(Schema):
    clock: str
    state: str
    due: dt.datetime | None
    business_minutes: float | None = Field(description="Left (running) or over (overdue)")
    taken_minutes: int | None


class SlaOut(Schema):
    policy: str | None
    paused: bool
    clocks: list[ClockOut]


class QueueOut(Schema):
    id: int
    name: str
    description: str
    team_id: int | None
    strategy: str
    is_default: bool
    active: bool
    agent_ids: list[int]

    @staticmethod
    def resolve_agent_ids(obj: Queue) -> list[int]:
        return [a.pk for a in obj.agents.all()]


class TranslationOut(Schema):
    language: str
    title: str
    summary: str
    body: str


class ArticleOut(Schema):
    id: int
    slug: str
    category_id: int | None
    visibility: str
    status: str
    published_at: dt.datetime | None
    updated_at: dt.datetime
    version: int
    view_count: int
    translations: list[TranslationOut]

    @staticmethod
    def resolve_translations(obj: Article) -> list[Any]:
        return list(obj.translations.all())


class TranslationIn(Schema):
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=300)
    body: str


class ArticleIn(Schema):
    category_id: int | None = None
    visibility: str = "internal"
    status: str = "draft"
    slug: str = ""
    translations: dict[str, TranslationIn] = Field(description='{"id": {...}, "en": {...}}')


class ArticlePatch(ArticleIn):
    version: int


class SurveyOut(Schema):
    id: int
    kind: str
    customer_id: int
    ticket_id: int | None
    sent_at: dt.datetime
    expires_at: dt.datetime
    responded_at: dt.datetime | None
    csat: int | None
    ces: int | None
    nps: int | None
    comment: str


class TicketFilters(Schema):
    q: str | None = None
    status: list[str] | None = None
    open: bool | None = None
    priority: str | None = None
    ticket_type: int | None = None
    channel: str | None = None
    category: int | None = None
    queue: int | None = None
    assigned: str | None = Field(None, description="me or none")
    owner: int | None = None
    team: int | None = None
    sla: str | None = Field(None, description="at_risk, breached or ok")
    root_cause: str | None = None
    customer: int | None = None
    created_after: dt.date | None = None
    created_before: dt.date | None = None


# --- helpers ------------------------------------------------------------------------------------


def _tickets() -> Any:
    return Ticket.objects.select_related("ticket_type", "customer").prefetch_related("tags")


def _ticket(request: ApiRequest, pk: int, action: str = "view") -> Ticket:
    user = check(request, "service", action)
    return get_for_user(user, _tickets(), pk=pk)


def _filtered(user: Any, filters: TicketFilters) -> Any:
    qs = visible_to(user, _tickets())
    params = filters.dict(exclude_none=True)
    if not params:
        return qs
    data = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = str(value).lower() if isinstance(value, bool) else str(value)
    fs = TicketFilterSet(data, queryset=qs)
    fs.limit_to_user(user)
    if not fs.is_valid():
        raise ValidationError(fs.errors.get_json_data())
    return fs.qs


def _lookup(model: Any, pk: int | None, name: str, **extra: Any) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **extra).first()
    if found is None:
        raise ValidationError({name: ["Unknown id."]})
    return found


def _ticket_type(key: str) -> TicketType:
    found = TicketType.objects.filter(key=key, active=True).first()
    if found is None:
        raise ValidationError({"ticket_type": ["Unknown ticket type."]})
    return found


def _fields(raw: dict[str, Any], ticket: Ticket | None = None) -> tuple[dict[str, Any], Any]:
    data: dict[str, Any] = {}
    tags = None
    for key, value in raw.items():
        if key == "ticket_type":
            data["ticket_type"] = _ticket_type(value)
        elif key == "category_id":
            data["category"] = _lookup(Category, value, key)
        elif key == "queue_id":
            data["queue"] = _lookup(Queue, value, key)
        elif key == "owner_id":
            data["owner"] = _lookup(User, value, key, is_active=True)
        elif key == "tags":
            if value is not None:
                tags = [
                    Tag.objects.get_or_create(name=n.strip()[:60])[0] for n in value if n.strip()
                ]
        elif key == "custom":
            existing = (ticket.custom or {}) if ticket is not None else {}
            data["custom"] = customfields.clean_values(Ticket, {**existing, **(value or {})})
        elif key not in ("version", "customer_id"):
            data[key] = "" if value is None else getattr(value, "value", value)
    return data, tags


# --- tickets ------------------------------------------------------------------------------------


@router.get("/tickets", response=PageOut[TicketOut], summary="List tickets (visible to you)")
def list_tickets(
    request: ApiRequest,
    filters: Query[TicketFilters],
    cursor: str | None = None,
    order: str = "-created_at",
    limit: int = 50,
) -> dict:
    user = check(request, "service", "view")
    qs = _filtered(user, filters)
    order = order if order in TICKET_ORDERS else "-created_at"
    return page_of(qs, order=order, cursor=cursor, limit=max(1, min(limit, 200)))


@router.post(
    "/tickets",
    response={201: TicketOut},
    summary="Open a ticket (routed, numbered, SLA applied)",
)
def create_ticket(request: ApiRequest, payload: TicketIn) -> Status:
    user = check(request, "service", "add")
    customer = get_for_user(user, Customer.objects.all(), pk=payload.customer_id)
    data, tags = _fields(payload.dict(exclude_unset=False))
    if "custom" not in data:
        data["custom"] = customfields.clean_values(Ticket, {})
    ticket = actions.create_ticket(user, customer, data, tags=tags)
    return Status(201, _ticket(request, ticket.pk))


@router.get("/tickets/{pk}", response=TicketOut, summary="One ticket")
def get_ticket(request: ApiRequest, pk: int) -> Ticket:
    return _ticket(request, pk)


@router.patch("/tickets/{pk}", response=TicketOut, summary="Update a ticket (send its version)")
def update_ticket(request: ApiRequest, pk: int, payload: TicketPatch) -> Ticket:
    ticket = _ticket(request, pk, "change")
    raw = payload.dict(exclude_unset=True)
    complaint = {
        k: raw.pop(k) for k in ("root_cause", "root_cause_detail", "resolution") if k in raw
    }
    data, tags = _fields(raw, ticket)
    for key, value in complaint.items():
        data[key] = value or ""
    actions.update_ticket(request.auth, ticket, data, expected_version=payload.version, tags=tags)
    return _ticket(request, pk)


@router.delete("/tickets/{pk}", response={204: None}, summary="Delete a ticket")
def delete_ticket(request: ApiRequest, pk: int) -> Status:
    from relasi.core import records

    ticket = _ticket(request, pk, "delete")
    records.delete_record(request.auth, ticket)
    return Status(204, None)


@router.post(
    "/tickets/{pk}/transition",
    response=TicketOut,
    summary="Change the status (only allowed transitions; send the version to guard against races)",
)
def transition(request: ApiRequest, pk: int, payload: TransitionIn) -> Ticket:
    ticket = _ticket(request, pk, "change")
    actions.change_status(
        request.auth, ticket, str(payload.status), expected_version=payload.version
    )
    return _ticket(request, pk)


@router.post("/tickets/{pk}/assign", response=TicketOut, summary="Assign to an agent and/or queue")
def assign(request: ApiRequest, pk: int, payload: AssignIn) -> Ticket:
    ticket = _ticket(request, pk, "change")
    owner = _lookup(User, payload.owner_id, "owner_id", is_active=True)
    queue = _lookup(Queue, payload.queue_id, "queue_id")
    actions.assign(request.auth, ticket, owner, queue=queue, expected_version=payload.version)
    return _ticket(request, pk)


@router.get(
    "/tickets/{pk}/messages",
    response=list[MessageOut],
    summary="Replies, notes and customer messages, oldest first",
)
def messages(request: ApiRequest, pk: int) -> Any:
    ticket = _ticket(request, pk)
    return TicketMessage.objects.filter(ticket=ticket).order_by("created_at", "id")


@router.post("/tickets/{pk}/replies", response={201: MessageOut}, summary="Reply to the customer")
def reply(request: ApiRequest, pk: int, payload: MessageIn) -> Status:
    ticket = _ticket(request, pk, "change")
    message = actions.add_reply(request.auth, ticket, payload.body, send_email=payload.send_email)
    message.refresh_from_db()
    return Status(201, message)


@router.post("/tickets/{pk}/notes", response={201: MessageOut}, summary="Add an internal note")
def note(request: ApiRequest, pk: int, payload: MessageIn) -> Status:
    ticket = _ticket(request, pk, "change")
    return Status(201, actions.add_note(request.auth, ticket, payload.body))


@router.get("/tickets/{pk}/sla", response=SlaOut, summary="The ticket's SLA clocks")
def sla_status(request: ApiRequest, pk: int) -> dict:
    ticket = _ticket(request, pk)
    names = ["first_response", "resolution"]
    return {
        "policy": ticket.sla_policy.name if ticket.sla_policy_id else None,  # type: ignore[union-attr]
        "paused": ticket.sla_paused_at is not None,
        "clocks": [
            {
                "clock": name,
                "state": c.state,
                "due": c.due,
                "business_minutes": round(c.minutes, 1) if c.minutes is not None else None,
                "taken_minutes": c.taken,
            }
            for name, c in zip(names, sla.clocks(ticket), strict=True)
        ],
    }


# --- queues, articles, surveys, KPIs -------------------------------------------------------------


@router.get("/queues", response=list[QueueOut], summary="Queues")
def queues(request: ApiRequest) -> Any:
    check(request, "service", "view")
    return Queue.objects.prefetch_related("agents").order_by("name")


def _article(request: ApiRequest, pk: int, action: str = "view") -> Article:
    check(request, "service", action)
    found = Article.objects.prefetch_related("translations").filter(pk=pk).first()
    if found is None:
        from django.http import Http404

        raise Http404
    return found


@router.get("/articles", response=PageOut[ArticleOut], summary="Knowledge-base articles")
def articles(
    request: ApiRequest,
    q: str | None = None,
    visibility: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict:
    check(request, "service", "view")
    qs = Article.objects.prefetch_related("translations")
    if q:
        qs = qs.filter(
            pk__in=[a.pk for a in search.search_articles(q, public_only=False, limit=200)]
        )
    if visibility:
        qs = qs.filter(visibility=visibility)
    if status:
        qs = qs.filter(status=status)
    return page_of(qs, order="-id", cursor=cursor, limit=max(1, min(limit, 200)))


@router.get("/articles/{pk}", response=ArticleOut, summary="One article with its translations")
def article(request: ApiRequest, pk: int) -> Article:
    return _article(request, pk)


def _article_data(payload: ArticleIn) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    from relasi.service.choices import ArticleStatus, ArticleVisibility, Language

    if payload.visibility not in ArticleVisibility.values:
        raise ValidationError({"visibility": ["Unknown visibility."]})
    if payload.status not in ArticleStatus.values:
        raise ValidationError({"status": ["Unknown status."]})
    translations = {k: v.dict() for k, v in payload.translations.items() if k in Language.values}
    if not translations or any(not (t["title"] and t["body"]) for t in translations.values()):
        raise ValidationError({"translations": ["Give a title and a text in id and/or en."]})
    from relasi.service.models import ArticleCategory

    data = {
        "category": _lookup(ArticleCategory, payload.category_id, "category_id"),
        "visibility": payload.visibility,
        "status": payload.status,
        "slug": payload.slug,
    }
    return data, translations


@router.post("/articles", response={201: ArticleOut}, summary="Create an article")
def create_article(request: ApiRequest, payload: ArticleIn) -> Status:
    user = check(request, "service", "add")
    data, translations = _article_data(payload)
    created = actions.save_article(user, None, data, translations)
    return Status(201, _article(request, created.pk))


@router.patch("/articles/{pk}", response=ArticleOut, summary="Update an article (send its version)")
def update_article(request: ApiRequest, pk: int, payload: ArticlePatch) -> Article:
    found = _article(request, pk, "change")
    data, translations = _article_data(payload)
    actions.save_article(request.auth, found, data, translations, expected_version=payload.version)
    return _article(request, pk)


@router.get("/surveys", response=PageOut[SurveyOut], summary="Survey invitations and answers")
def surveys(
    request: ApiRequest,
    kind: str | None = None,
    answered: bool | None = None,
    ticket: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict:
    user = check(request, "service", "view")
    qs = visible_to(user, Survey.objects.all())
    if kind:
        qs = qs.filter(kind=kind)
    if answered is not None:
        qs = qs.filter(responded_at__isnull=not answered)
    if ticket:
        qs = qs.filter(ticket=get_for_user(user, Ticket.objects.all(), pk=ticket))
    return page_of(qs, order="-id", cursor=cursor, limit=max(1, min(limit, 200)))


@router.get("/kpis", summary="Service KPIs (seed-002 §3 formulas) for a period")
def service_kpis(
    request: ApiRequest,
    start: dt.date,
    end: dt.date,
    queue: int | None = None,
    team: int | None = None,
) -> dict:
    user = check(request, "service", "view")
    figures = kpis.service_kpis(
        start,
        end,
        queue=_lookup(Queue, queue, "queue"),
        team=_lookup(Team, team, "team"),
        user=user,
    )
    figures["period"] = {k: v.isoformat() for k, v in figures["period"].items()}
    return figures
