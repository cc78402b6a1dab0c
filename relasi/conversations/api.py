"""Conversations API (/api/v1/conversations): list (the inbox's filters), one conversation with
its messages, reply, note, assign, status, ticket/lead from a conversation.

Every object is fetched through the access layer: a conversation outside the caller's
visibility is a 404, as in the UI. Module permission "conversations" and token scopes apply."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from ninja import Field, Query, Router, Schema, Status

from relasi.accounts.models import User
from relasi.conversations import actions
from relasi.conversations.choices import ChannelKind, ConversationStatus, Sentiment
from relasi.conversations.filtersets import ASSIGNEE_CHOICES, STATUS_CHOICES, ConversationFilterSet
from relasi.conversations.models import Conversation, Message
from relasi.core.access import get_for_user, visible_to
from relasi.core.api import PageOut, check, page_of
from relasi.core.typing import ApiRequest
from relasi.customers.models import Customer

router = Router(tags=["conversations"])


class ConversationOut(Schema):
    id: int
    inbox_id: int
    channel: str
    customer_id: int | None
    lead_id: int | None
    ticket_id: int | None
    deal_id: int | None
    contact_address: str
    contact_name: str
    subject: str
    status: str
    priority: str
    snoozed_until: dt.datetime | None
    owner_id: int | None = Field(description="The assigned agent")
    team_id: int | None
    last_message_at: dt.datetime
    last_inbound_at: dt.datetime | None
    waiting_since: dt.datetime | None = Field(description="Set while the customer waits on us")
    first_response_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolution_due: dt.datetime | None
    resolved_at: dt.datetime | None
    sentiment: str
    preview: str
    version: int


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    direction: str = Field(description="in, out or note")
    kind: str
    author_id: int | None
    sender: str
    sender_name: str
    body: str
    body_html: str = Field(description="Sanitised on arrival")
    external_id: str
    status: str
    status_at: dt.datetime | None
    error: str
    sentiment: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())


class ConversationFilters(Schema):
    q: str | None = Field(None, max_length=200)
    status: str | None = Field(None, description=", ".join(k for k, _v in STATUS_CHOICES))
    channel: ChannelKind | None = None
    inbox: int | None = Field(None, ge=1, le=2**63 - 1)
    assignee: str | None = Field(None, description=", ".join(k for k, _v in ASSIGNEE_CHOICES))
    team: int | None = Field(None, ge=1, le=2**63 - 1)
    customer: int | None = Field(None, ge=1, le=2**63 - 1)
    sentiment: Sentiment | None = Field(None, description="The latest customer message's")
    waiting: bool | None = None
    breached: bool | None = None


class ReplyIn(Schema):
    body: str = Field("", max_length=4096)
    version: int | None = Field(None, description="The version you read; a newer one is a 409")
    template: dict[str, Any] | None = Field(
        None, description="WhatsApp template outside the 24-hour window: name, language, params"
    )


class NoteIn(Schema):
    body: str = Field(..., min_length=1, max_length=4096)


class AssignIn(Schema):
    owner_id: int | None = Field(None, ge=1, le=2**63 - 1, description="Empty: unassign")
    version: int | None = None


class StatusIn(Schema):
    status: ConversationStatus
    snooze_until: dt.datetime | None = None
    version: int | None = None


class LinkIn(Schema):
    customer_id: int = Field(..., ge=1, le=2**63 - 1)


class CreatedOut(Schema):
    id: int
    kind: str


def _conversations() -> Any:
    return Conversation.objects.select_related("inbox", "customer")


def _get(request: ApiRequest, pk: int, action: str = "view") -> Conversation:
    user = check(request, "conversations", action)
    return get_for_user(user, _conversations(), pk=pk)


@router.get("", response=PageOut[ConversationOut], summary="List conversations (visible to you)")
def list_conversations(
    request: ApiRequest,
    filters: Query[ConversationFilters],
    cursor: str | None = None,
    limit: int = 50,
) -> dict:
    user = check(request, "conversations", "view")
    qs = visible_to(user, _conversations())
    data = QueryDict(mutable=True)
    for key, value in filters.dict(exclude_none=True).items():
        data[key] = (
            str(value).lower() if isinstance(value, bool) else str(getattr(value, "value", value))
        )
    fs = ConversationFilterSet(data, queryset=qs, user=user)
    if not fs.is_valid():
        raise ValidationError(fs.errors.get_json_data())
    return page_of(fs.qs, order="-last_message_at", cursor=cursor, limit=max(1, min(limit, 200)))


@router.get("/{pk}", response=ConversationOut, summary="One conversation")
def get_conversation(request: ApiRequest, pk: int) -> Conversation:
    return _get(request, pk)


@router.get("/{pk}/messages", response=list[MessageOut], summary="Its messages, oldest first")
def list_messages(request: ApiRequest, pk: int) -> Any:
    conv = _get(request, pk)
    return conv.messages.prefetch_related("attachments").order_by("created_at", "id")[:1000]


@router.post("/{pk}/replies", response={201: MessageOut}, summary="Reply to the customer")
def reply(request: ApiRequest, pk: int, payload: ReplyIn) -> Status:
    conv = _get(request, pk, "change")
    message = actions.reply(
        request.auth,
        conv,
        payload.body,
        template=payload.template,
        expected_version=payload.version,
    )
    message.refresh_from_db()
    return Status(201, message)


@router.post("/{pk}/notes", response={201: MessageOut}, summary="Add an internal note")
def note(request: ApiRequest, pk: int, payload: NoteIn) -> Status:
    conv = _get(request, pk, "change")
    return Status(201, actions.add_note(request.auth, conv, payload.body))


@router.post("/{pk}/assign", response=ConversationOut, summary="Assign (or unassign)")
def assign(request: ApiRequest, pk: int, payload: AssignIn) -> Conversation:
    conv = _get(request, pk, "change")
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise ValidationError({"owner_id": ["No active user with this id."]})
    actions.assign(request.auth, conv, owner, expected_version=payload.version)
    return _get(request, pk)


@router.post("/{pk}/status", response=ConversationOut, summary="Open, pend, snooze or close")
def set_status(request: ApiRequest, pk: int, payload: StatusIn) -> Conversation:
    conv = _get(request, pk, "change")
    actions.set_status(
        request.auth,
        conv,
        str(payload.status.value),
        snooze_until=payload.snooze_until,
        expected_version=payload.version,
    )
    return _get(request, pk)


@router.post("/{pk}/customer", response=ConversationOut, summary="Link to a customer")
def link_customer(request: ApiRequest, pk: int, payload: LinkIn) -> Conversation:
    conv = _get(request, pk, "change")
    customer = get_for_user(request.auth, Customer.objects.all(), pk=payload.customer_id)
    actions.link_customer(request.auth, conv, customer)
    return _get(request, pk)


@router.post("/{pk}/ticket", response={201: CreatedOut}, summary="Open a ticket from it")
def make_ticket(request: ApiRequest, pk: int) -> Status:
    conv = _get(request, pk, "change")
    check(request, "service", "add")
    ticket = actions.create_ticket(request.auth, conv)
    return Status(201, {"id": ticket.pk, "kind": "ticket"})


@router.post("/{pk}/lead", response={201: CreatedOut}, summary="Create a lead from it")
def make_lead(request: ApiRequest, pk: int) -> Status:
    conv = _get(request, pk, "change")
    check(request, "sales", "add")
    lead = actions.create_lead(request.auth, conv)
    return Status(201, {"id": lead.pk, "kind": "lead"})
