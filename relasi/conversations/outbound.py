"""Messages Relasi starts (a reminder, a double opt-in request): the inbox that can send them and
the conversation they go into. Both the activities reminders and the privacy app's YA request
use it; the privacy gate has been asked by the caller."""

from typing import Any

from relasi.conversations import actions, channels
from relasi.conversations.choices import ACTIVE_STATUSES, ConversationStatus
from relasi.conversations.models import Conversation, Inbox, Message


def usable_inbox(kind: str, needs: str = "") -> Inbox | None:
    """The first active inbox of `kind` that can send now (and has `config[needs]`, such as an
    approved template's name)."""
    try:
        adapter = channels.adapter_for(kind)
    except channels.ChannelNotConfigured:
        return None
    problem = getattr(adapter, "problem", None)
    for inbox in Inbox.objects.filter(kind=kind, active=True).order_by("pk"):
        if needs and not (inbox.config or {}).get(needs):
            continue
        if problem is None or not problem(inbox):
            return inbox
    return None


def conversation_with(inbox: Inbox, customer: Any, address: str, owner: Any = None) -> Conversation:
    """The person's open conversation in this inbox, or a new one waiting on them."""
    conv = (
        Conversation.objects.filter(
            inbox=inbox, contact_address=address, status__in=ACTIVE_STATUSES
        )
        .order_by("-last_message_at")
        .first()
    )
    if conv is not None:
        return conv
    return Conversation.objects.create(
        inbox=inbox,
        channel=inbox.kind,
        customer=customer,
        contact_address=address,
        contact_name=customer.name[:200],
        status=ConversationStatus.PENDING,
        owner=owner,
        team=inbox.team or getattr(owner, "team", None),
        language=(customer.preferred_language or inbox.language or "id")[:5],
    )


def send(
    inbox: Inbox,
    customer: Any,
    address: str,
    body: str,
    *,
    template: dict[str, Any] | None = None,
    owner: Any = None,
) -> Message:
    conv = conversation_with(inbox, customer, address, owner)
    return actions._queue(conv, body, author=None, template=template)
