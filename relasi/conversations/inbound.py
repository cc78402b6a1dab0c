"""Messages arriving: stored once (idempotent by the channel's id), matched to a person,
threaded into a conversation, with the SLA clock, sentiment, consent keywords and the chatbot.
Channels hand messages over as `Inbound` to `receive`."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.conversations import bot, matching, sentiment_routing, sla
from relasi.conversations.choices import (
    ACTIVE_STATUSES,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    MessageKind,
)
from relasi.conversations.models import Conversation, Inbox, Message, MessageAttachment

PREVIEW = 200


@dataclass
class InboundFile:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"
    content_id: str = ""


@dataclass
class Inbound:
    """A message as a channel hands it over, before Relasi knows whose it is."""

    sender: str
    body: str = ""
    sender_name: str = ""
    external_id: str = ""
    subject: str = ""
    html: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    thread_key: str = ""
    at: dt.datetime | None = None
    kind: str = MessageKind.NORMAL
    attachments: list[InboundFile] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


# --- inbound ------------------------------------------------------------------------------------
def receive(inbox: Inbox, msg: Inbound) -> Message:
    """Store one inbound message (or return the one already stored under its channel id)."""
    if msg.external_id:
        existing = Message.objects.filter(inbox=inbox, external_id=msg.external_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            message = _receive(inbox, msg)
    except IntegrityError:
        # The same message arriving twice at once: the other one won the unique constraint.
        existing = Message.objects.filter(inbox=inbox, external_id=msg.external_id).first()
        if existing is None:
            raise
        return existing
    if msg.kind == MessageKind.NORMAL and inbox.kind in ("whatsapp", "sms"):
        _consent_keywords(message)
    bot.respond(message.conversation, message)
    return message


def _receive(inbox: Inbox, msg: Inbound) -> Message:
    at = msg.at or timezone.now()
    address = matching.normalise(inbox.kind, msg.sender) or msg.sender.strip()[:254]
    conversation = _thread_for(inbox, address, msg)
    if conversation is None:
        conversation = _open_conversation(inbox, address, msg, at)
    message = Message.objects.create(
        conversation=conversation,
        inbox=inbox,
        direction=Direction.INBOUND,
        kind=msg.kind,
        sender=address,
        sender_name=msg.sender_name[:200],
        body=msg.body,
        body_html=_sanitise(msg.html) if msg.html else "",
        external_id=msg.external_id[:255],
        in_reply_to=msg.in_reply_to[:255],
        references=" ".join(msg.references)[:5000],
        status=DeliveryStatus.RECEIVED,
        sentiment=sentiment_routing.of_message(msg.body, msg.kind),
        meta=msg.meta,
        created_at=at,
    )
    for f in msg.attachments:
        _attach(message, f)
    _after_inbound(conversation, message, at)
    if msg.kind == MessageKind.NORMAL:
        _message_event(conversation, message)
    return message


def _message_event(conversation: Conversation, message: Message) -> None:
    """The "message received" event (core/events.py), with the message as the API shows it."""
    from relasi.conversations.api import MessageOut
    from relasi.core import events

    data = MessageOut.from_orm(message).model_dump(mode="json")
    events.emit("conversation.message_received", conversation, data={"message": data})


def _sanitise(html: str) -> str:
    import nh3

    return nh3.clean(html, link_rel="noopener noreferrer nofollow")


def _attach(message: Message, f: InboundFile) -> MessageAttachment:
    from relasi.core.uploads import safe_filename

    row = MessageAttachment(
        message=message,
        name=safe_filename(f.name or "file")[:255],
        content_type=(f.content_type or "application/octet-stream")[:100],
        size=len(f.content),
        content_id=f.content_id.strip("<>")[:255],
    )
    row.file.save(row.name, ContentFile(f.content), save=False)
    row.save()
    return row


def _thread_for(inbox: Inbox, address: str, msg: Inbound) -> Conversation | None:
    """The conversation a message continues: an e-mail by its In-Reply-To/References, a chat
    (WhatsApp, SMS, web chat) by the sender's open conversation in this inbox."""
    refs = [r for r in [msg.in_reply_to, *msg.references] if r]
    if refs:
        parent = (
            Message.objects.filter(inbox=inbox, external_id__in=refs)
            .select_related("conversation")
            .order_by("-id")
            .first()
        )
        if parent is not None:
            return parent.conversation
    if msg.thread_key:
        found = Conversation.objects.filter(inbox=inbox, thread_key=msg.thread_key).first()
        if found is not None:
            return found
    if inbox.kind == "email":
        return None  # a new e-mail without references is a new thread
    return (
        Conversation.objects.filter(
            inbox=inbox, contact_address=address, status__in=ACTIVE_STATUSES
        )
        .order_by("-last_message_at")
        .first()
    )


def _open_conversation(inbox: Inbox, address: str, msg: Inbound, at: dt.datetime) -> Conversation:
    from relasi.service.routing import pick_agent

    if Inbox.objects.filter(pk=inbox.pk).exists():
        # One unknown sender writing twice at once must not become two contacts.
        Inbox.objects.select_for_update(no_key=True).filter(pk=inbox.pk).first()
    # A bounce or an automatic reply is not a person writing: it creates no contact or lead
    # and starts no SLA clock.
    normal = msg.kind == MessageKind.NORMAL
    found = matching.match(inbox, address, msg.sender_name, create=normal)
    customer, lead = found.customer, found.lead
    agent = pick_agent(inbox.queue) if inbox.queue is not None else None
    first_due, resolution_due = sla.due_times(inbox, at) if normal else (None, None)
    name = msg.sender_name or (str(customer) if customer else (str(lead) if lead else ""))
    return Conversation.objects.create(
        inbox=inbox,
        channel=inbox.kind,
        customer=customer,
        lead=lead,
        contact_address=address,
        contact_name=name[:200],
        subject=(msg.subject or "")[:300],
        thread_key=msg.thread_key[:300],
        owner=agent,
        team=inbox.team or getattr(agent, "team", None),
        language=(getattr(customer, "preferred_language", "") or inbox.language)[:5],
        last_message_at=at,
        first_response_due=first_due,
        resolution_due=resolution_due,
    )


def _after_inbound(conversation: Conversation, message: Message, at: dt.datetime) -> None:
    update: dict[str, Any] = {"last_message_at": at, "preview": message.body[:PREVIEW]}
    if message.kind == MessageKind.NORMAL:
        update["last_inbound_at"] = at
        update.update(sentiment_routing.conversation_update(conversation, message.sentiment))
        if conversation.waiting_since is None:
            update["waiting_since"] = at
        if conversation.status != ConversationStatus.OPEN:
            update.update(status=ConversationStatus.OPEN, snoozed_until=None, resolved_at=None)
            if conversation.status == ConversationStatus.CLOSED:  # a reopened thread: new clock
                first_due, resolution_due = sla.due_times(conversation.inbox, at)
                update.update(
                    first_responded_at=None,
                    first_response_due=first_due,
                    resolution_due=resolution_due,
                )
    Conversation.objects.filter(pk=conversation.pk).update(**update)
    for key, value in update.items():
        setattr(conversation, key, value)
    if conversation.owner_id and message.kind == MessageKind.NORMAL:
        _notify_owner(conversation, message)


def _notify_owner(conversation: Conversation, message: Message) -> None:
    from relasi.activities.actions import notify_user

    who = conversation.contact_name or conversation.contact_address
    notify_user(
        conversation.owner,
        "conversation",
        conversation.get_absolute_url(),
        lambda: (_("New message from %(who)s") % {"who": who}, message.body[:500]),
        email=False,
    )


def _consent_keywords(message: Message) -> None:
    """YA / STOP / BERHENTI on WhatsApp or SMS change consent; the answer goes back at once."""
    from relasi.privacy import keywords

    result = keywords.handle_reply(message.inbox.kind, message.sender, message.body)
    if result.action == "none":
        return
    Message.objects.filter(pk=message.pk).update(meta={**message.meta, "keyword": result.action})
    if result.reply:
        from relasi.conversations.actions import _queue

        _queue(message.conversation, result.reply, author=None, system=True)
