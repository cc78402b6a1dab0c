"""The web-chat widget's side of the inbox: a visitor writes, reads the replies, and may say
who they are.

A visitor is a random token the widget keeps in the browser's localStorage. Relasi never
stores the token itself: the conversation's address is a hash of it ("v-…"), so the agents'
pages and the database never show a secret that would let someone read the chat. Every
visitor has one thread per inbox (the hash is its thread key): a visitor coming back after the
conversation was closed reopens it with a new SLA clock (conversations.actions does that).

Messages from the widget go through `actions.receive` like every channel; a visitor becomes a
person only once they leave an e-mail address or a phone number (`identify_visitor`)."""

import datetime as dt
import hashlib
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.conversations import actions, matching, stream
from relasi.conversations.choices import (
    ChannelKind,
    DeliveryStatus,
    Direction,
    MessageKind,
    UnknownSender,
)
from relasi.conversations.models import Conversation, Inbox, Message
from relasi.core import audit
from relasi.core.choices import AuditAction

MAX_BODY = 4000
PAGE = 100
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HIDDEN_STATUSES = (DeliveryStatus.FAILED, DeliveryStatus.BLOCKED)


def inbox_for_key(key: str) -> Inbox | None:
    """The active web-chat inbox of a widget key (None for any other key)."""
    if not key or len(key) > 40:
        return None
    return Inbox.objects.filter(kind=ChannelKind.WEBCHAT, active=True, widget_key=key).first()


def visitor_id(token: str) -> str:
    """The address a visitor's token is stored under (its hash)."""
    if not _TOKEN.match(token or ""):
        raise ValidationError(_("The chat session is not valid; reload the page."))
    return "v-" + hashlib.sha256(token.encode()).hexdigest()[:40]


def is_open(now: dt.datetime | None = None) -> bool:
    """Whether someone answers now: the service app's default business hours."""
    from relasi.service.sla import calendar_for

    return calendar_for(None).is_open_at(now or timezone.now())


def conversation_of(inbox: Inbox, token: str) -> Conversation | None:
    vid = visitor_id(token)
    return (
        Conversation.objects.filter(inbox=inbox, contact_address=vid)  # indexed; == thread key
        .order_by("-last_message_at", "-id")
        .first()
    )


def send(inbox: Inbox, token: str, body: str, name: str = "") -> tuple[Message, bool]:
    """A visitor's message; returns it and whether it came outside business hours (an
    offline message: stored and answered like any other, only later)."""
    vid = visitor_id(token)
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a message."))
    if len(body) > MAX_BODY:
        raise ValidationError(_("The message is too long."))
    now = timezone.now()
    offline = not is_open(now)
    message = actions.receive(
        inbox,
        actions.Inbound(
            sender=vid,
            sender_name=" ".join((name or "").split())[:200],
            body=body,
            thread_key=vid,
            at=now,
            meta={"offline": True} if offline else {},
        ),
    )
    stream.notify(message.conversation_id, message.pk)
    return message, offline


def messages_since(inbox: Inbox, token: str, after: int = 0, limit: int = PAGE) -> list[Any]:
    """What the widget shows: the visitor's messages and our replies (never internal notes,
    never a reply that failed or was not allowed), oldest first, after message `after`."""
    vid = visitor_id(token)
    return visible_messages(inbox, vid, after, limit)


def visible_messages(inbox: Inbox, vid: str, after: int = 0, limit: int = PAGE) -> list[Any]:
    rows = (
        Message.objects.filter(
            inbox=inbox,
            conversation__contact_address=vid,
            direction__in=(Direction.INBOUND, Direction.OUTBOUND),
            pk__gt=max(0, after),
        )
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("author")
        .order_by("pk")[:limit]
    )
    return [as_json(m, inbox) for m in rows]


def as_json(message: Message, inbox: Inbox) -> dict[str, Any]:
    mine = message.direction == Direction.INBOUND
    who = "" if mine else (getattr(message.author, "first_name", "") or inbox.name)
    return {
        "id": message.pk,
        "from": "visitor" if mine else "agent",
        "name": who,
        "body": message.body,
        "at": message.created_at.isoformat(),
    }


def identify_visitor(conversation: Conversation, name: str, email: str, phone: str) -> Any:
    """The visitor left their name and an e-mail address or phone number: link the
    conversation to the person with that address, or to an open lead, or create a contact (or
    lead) by the inbox's setting. Never a second copy of someone Relasi has. What the visitor
    typed is not proof of who they are, so an internal note tells the agents so."""
    name = " ".join((name or "").split())[:200]
    email_n, phone_n = _clean_addresses(email, phone)
    inbox = conversation.inbox
    with transaction.atomic():
        # One visitor submitting twice at once (or two tabs) must not become two people.
        Inbox.objects.select_for_update(no_key=True).filter(pk=inbox.pk).first()
        customer = matching.find_customer(ChannelKind.EMAIL, email_n) or matching.find_customer(
            ChannelKind.SMS, phone_n
        )
        lead = None
        if customer is None:
            lead = matching.find_lead(ChannelKind.EMAIL, email_n) or matching.find_lead(
                ChannelKind.SMS, phone_n
            )
        if customer is None and lead is None:
            if inbox.unknown_sender == UnknownSender.LEAD:
                lead = _new_lead(name, email_n, phone_n)
            elif inbox.unknown_sender == UnknownSender.CONTACT:
                customer = _new_contact(inbox, name, email_n, phone_n)
        contact_name = name or conversation.contact_name or str(customer or lead or "")
        update: dict[str, Any] = {"contact_name": contact_name[:200]}
        if customer is not None:
            update["customer"] = customer
        if lead is not None:
            update["lead"] = lead
        Conversation.objects.filter(pk=conversation.pk).update(**update)
        for key, value in update.items():
            setattr(conversation, key, value)
        given = ", ".join(x for x in (name, email_n, phone_n) if x)
        Message.objects.create(
            conversation=conversation,
            inbox=inbox,
            direction=Direction.NOTE,
            kind=MessageKind.SYSTEM,
            body=_("The visitor left their details (not verified): %(given)s") % {"given": given},
            status=DeliveryStatus.RECEIVED,
        )
        audit.record(
            None,
            AuditAction.UPDATE,
            conversation,
            changes={
                "customer": getattr(customer, "pk", None),
                "lead": getattr(lead, "pk", None),
            },
            message="webchat identify",
        )
    return customer or lead


def _clean_addresses(email: str, phone: str) -> tuple[str, str]:
    email_n = phone_n = ""
    if (email or "").strip():
        email_n = matching.normalise(ChannelKind.EMAIL, email)[:254]
        try:
            validate_email(email_n)
        except ValidationError:
            raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if (phone or "").strip():
        phone_n = matching.normalise(ChannelKind.SMS, phone)
        if not phone_n:
            raise ValidationError({"phone": [_("Enter a valid phone number.")]})
    if not email_n and not phone_n:
        raise ValidationError({"email": [_("Enter an e-mail address or a phone number.")]})
    return email_n, phone_n


def _first_last(name: str, email: str, phone: str) -> tuple[str, str]:
    from relasi.customers import phones

    name = name or (email.split("@")[0] if email else phones.display(phone))
    first, _sep, last = name.partition(" ")
    return first[:100], last[:100]


def _new_contact(inbox: Inbox, name: str, email: str, phone: str) -> Any:
    from relasi.customers import actions as customers
    from relasi.customers.choices import Kind, Source

    first, last = _first_last(name, email, phone)
    data: dict[str, Any] = {"first_name": first, "last_name": last, "source": Source.MESSAGE}
    if inbox.team_id:
        data["team"] = inbox.team
    return customers.create_customer(
        None,
        Kind.PERSON,
        data,
        emails=[{"email": email, "is_primary": True}] if email else [],
        phones_=[{"number": phone, "is_primary": True}] if phone else [],
    )


def _new_lead(name: str, email: str, phone: str) -> Any:
    from relasi.customers.choices import Source
    from relasi.sales.actions.leads import create_lead

    first, last = _first_last(name, email, phone)
    data: dict[str, Any] = {"first_name": first, "last_name": last, "source": Source.MESSAGE}
    if email:
        data["email"] = email
    if phone:
        data["phone"] = phone
    return create_lead(None, data)
