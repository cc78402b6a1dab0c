"""Every state change of a conversation: an agent replies, writes a note, assigns, snoozes,
closes, links a ticket, lead or deal; a channel reports a delivery. A message arriving is
`inbound.receive` (re-exported here, with `Inbound` and `InboundFile`).

Inbound messages are idempotent by the channel's id (a webhook delivered twice, a mailbox
synced again: one message). Outbound messages are queued in the transaction that writes them
and handed to the channel's adapter after it commits (`deliver`), with retries."""

import datetime as dt
import logging
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.conversations import channels, matching
from relasi.conversations.choices import (
    DELIVERY_RANK,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    MessageKind,
)
from relasi.conversations.inbound import PREVIEW, Inbound, InboundFile, _attach, receive
from relasi.conversations.models import Conversation, Inbox, Message
from relasi.core import audit, records
from relasi.core.choices import AuditAction

log = logging.getLogger("relasi.conversations")
MAX_ATTEMPTS = 5
__all__ = ["Inbound", "InboundFile", "receive"]
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]{2,150})")


# --- outbound -----------------------------------------------------------------------------------
def may_reply(conversation: Conversation, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether a free-form reply can go now, and why not (the UI shows the reason)."""
    from relasi.privacy import gate

    now = now or timezone.now()
    if conversation.channel == "webchat":
        return True, ""
    try:
        adapter = channels.adapter_for(conversation.channel)
    except channels.ChannelNotConfigured as exc:
        return False, str(exc)
    # An adapter may say the inbox cannot send at all (no token, no account): say so up front.
    problem = getattr(adapter, "problem", None)
    reason = problem(conversation.inbox) if problem is not None else ""
    if reason:
        return False, reason
    until = adapter.freeform_until(conversation)
    if until is not None and now >= until:
        return False, _(
            "The customer last wrote more than 24 hours ago: WhatsApp allows only an approved "
            "template now."
        )
    # A reply in a thread the person started is a service message they asked for; a thread we
    # started follows the service purpose's rules in full.
    requested = conversation.last_inbound_at is not None
    decision = gate.may_contact(
        conversation.customer,
        _gate_channel(conversation.channel),
        "service",
        at=now,
        address=conversation.contact_address,
        requested=requested,
    )
    return bool(decision), ("" if decision else str(decision.message))


def may_send_template(conversation: Conversation) -> tuple[bool, str]:
    """An approved WhatsApp template may go outside the 24-hour window, but it is a message
    the business starts: the privacy gate's service rules apply in full (consent, quiet
    hours, caps)."""
    from relasi.privacy import gate

    if conversation.channel != "whatsapp":
        return False, _("Only WhatsApp conversations send templates.")
    try:
        adapter = channels.adapter_for(conversation.channel)
    except channels.ChannelNotConfigured as exc:
        return False, str(exc)
    problem = getattr(adapter, "problem", None)
    reason = problem(conversation.inbox) if problem is not None else ""
    if reason:
        return False, reason
    decision = gate.may_contact(
        conversation.customer,
        "whatsapp",
        "service",
        at=timezone.now(),
        address=conversation.contact_address,
        requested=False,
    )
    return bool(decision), ("" if decision else str(decision.message))


def _gate_channel(kind: str) -> str:
    return {"email": "email", "whatsapp": "whatsapp", "sms": "sms"}.get(kind, "email")


def reply(
    actor: Any,
    conversation: Conversation,
    body: str,
    *,
    files: list[Any] | None = None,
    template: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Message:
    """An agent's answer. A free-form reply must be allowed now (`may_reply`); a WhatsApp
    template (`template`: name, language, params) may go outside the 24-hour window."""
    body = (body or "").strip()
    if not body and not files and not template:
        raise ValidationError({"body": [_("Write a message.")]})
    allowed, reason = (
        may_reply(conversation) if template is None else may_send_template(conversation)
    )
    if not allowed:
        raise ValidationError({"body": [reason]})
    with transaction.atomic():
        _check_version(conversation, expected_version, actor)
        message = _queue(conversation, body, author=actor, files=files, template=template)
    return message


def _queue(
    conversation: Conversation,
    body: str,
    *,
    author: Any,
    files: list[Any] | None = None,
    template: dict[str, Any] | None = None,
    system: bool = False,
) -> Message:
    from relasi.core.uploads import check_upload

    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            inbox_id=conversation.inbox_id,
            direction=Direction.OUTBOUND,
            kind=MessageKind.SYSTEM if system else MessageKind.NORMAL,
            author=author if getattr(author, "pk", None) else None,
            sender=conversation.inbox.address,
            body=body,
            status=DeliveryStatus.QUEUED,
            meta={"template": template} if template else {},
            created_at=now,
            next_attempt_at=now,
        )
        for upload in files or []:
            info = check_upload(upload)
            _attach(
                message,
                InboundFile(info.safe_name, upload.read(), info.content_type),
            )
        update: dict[str, Any] = {"last_message_at": now, "preview": body[:PREVIEW]}
        if not system:
            update.update(waiting_since=None, version=F("version") + 1)
            if conversation.first_responded_at is None and conversation.last_inbound_at:
                update["first_responded_at"] = now
        Conversation.objects.filter(pk=conversation.pk).update(**update)
        conversation.refresh_from_db()
        _enqueue(message.pk)
    return message


def _enqueue(pk: int, run_after: dt.datetime | None = None) -> None:
    from relasi.conversations.tasks import deliver_message
    from relasi.core.mail import enqueue_with_row

    enqueue_with_row(deliver_message, pk, run_after)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def deliver(pk: int) -> str:
    """Hand one queued message to its channel; returns its new status ("" when another run
    has it or it is not due)."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Message.objects.filter(due, pk=pk, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, status_at=now
    )
    if not claimed:
        return ""
    message = Message.objects.select_related("conversation", "inbox").get(pk=pk)
    try:
        result = channels.adapter_for(message.inbox.kind).send(message.inbox, message)
    except channels.ChannelNotConfigured as exc:
        result = channels.SendResult(False, error=str(exc), retry=False)
    except Exception as exc:  # a network error is worth another try
        result = channels.SendResult(False, error=f"{type(exc).__name__}: {exc}")
    if result.ok:
        Message.objects.filter(pk=pk).update(
            status=DeliveryStatus.SENT,
            status_at=timezone.now(),
            external_id=(result.external_id or message.external_id)[:255],
            error="",
            meta={**message.meta, **result.meta},
        )
        _count_sent(message)
        return DeliveryStatus.SENT
    final = not result.retry or message.attempts >= MAX_ATTEMPTS
    Message.objects.filter(pk=pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED,
        error=result.error[:500],
        next_attempt_at=now + _backoff(message.attempts),
    )
    log.warning(
        "message delivery failed",
        extra={
            "event": "conversations.failed" if final else "conversations.retry",
            "message_id": pk,
            "attempts": message.attempts,
            "error": result.error[:500],
        },
    )
    if not final:
        _enqueue(pk, now + _backoff(message.attempts))
    return DeliveryStatus.FAILED if final else DeliveryStatus.QUEUED


def _count_sent(message: Message) -> None:
    from relasi.privacy import gate

    customer = message.conversation.customer
    if customer is not None and message.kind == MessageKind.NORMAL:
        gate.record_sent(customer, _gate_channel(message.inbox.kind), "service")


def sweep(cutoff: dt.datetime, now: dt.datetime | None = None) -> dict[str, int]:
    """The recovery sweep's part (core.recovery): messages a killed worker left *sending* go
    back to the queue, due queued ones are delivered, snoozed conversations whose time came
    open again."""
    now = now or timezone.now()
    stuck = Message.objects.filter(status=DeliveryStatus.SENDING, status_at__lt=cutoff).update(
        status=DeliveryStatus.QUEUED, next_attempt_at=now
    )
    due = Message.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
    delivered = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        delivered += deliver(pk) == DeliveryStatus.SENT
    return {"messages_requeued": stuck, "messages_sent": delivered, "woken": wake_snoozed(now)}


def record_status(
    inbox: Inbox, external_id: str, status: str, *, at: dt.datetime | None = None, error: str = ""
) -> bool:
    """A channel's delivery report (sent, delivered, read, failed). Only moves forward, so a
    late or repeated report changes nothing; True when it changed the message."""
    rank = DELIVERY_RANK.get(DeliveryStatus(status)) if status in DeliveryStatus.values else None
    if rank is None or not external_id:
        return False
    lower = [s for s, r in DELIVERY_RANK.items() if r < rank]
    changed = Message.objects.filter(
        inbox=inbox, external_id=external_id, direction=Direction.OUTBOUND, status__in=lower
    ).update(status=status, status_at=at or timezone.now(), error=error[:500])
    return bool(changed)


# --- the agent's other actions ------------------------------------------------------------------
def _check_version(conversation: Conversation, expected: int | None, actor: Any = None) -> None:
    if expected is None:
        return
    current = Conversation.objects.filter(pk=conversation.pk).values_list("version", flat=True)
    if list(current) != [expected]:
        raise records.ConflictError(actor, conversation, note=_("reply refused"))


def add_note(actor: Any, conversation: Conversation, body: str) -> Message:
    """An internal note (never sent); @username mentions notify the users named who can see
    the conversation."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a note.")]})
    with transaction.atomic():
        note = Message.objects.create(
            conversation=conversation,
            inbox_id=conversation.inbox_id,
            direction=Direction.NOTE,
            author=actor,
            body=body,
            status=DeliveryStatus.RECEIVED,
        )
        _notify_mentions(actor, conversation, body)
    return note


def _notify_mentions(actor: Any, conversation: Conversation, body: str) -> list[Any]:
    from django.contrib.auth import get_user_model

    from relasi.activities.actions import notify_user
    from relasi.core.access import can_see

    names = {m.lower() for m in _MENTION.findall(body)}
    if not names:
        return []
    users = get_user_model().objects.filter(is_active=True)
    named = [u for u in users.filter(username__in=names) if u.pk != getattr(actor, "pk", None)]
    told = []
    who = str(actor)
    for user in named:
        if not user.has_module_perm("conversations", "view") or not can_see(user, conversation):
            continue
        notify_user(
            user,
            "mention",
            conversation.get_absolute_url(),
            lambda: (_("%(who)s mentioned you in a conversation") % {"who": who}, body[:500]),
            email=False,
        )
        told.append(user)
    return told


def assign(
    actor: Any,
    conversation: Conversation,
    owner: Any,
    team: Any = None,
    *,
    expected_version: int | None = None,
) -> Conversation:
    data: dict[str, Any] = {"owner": owner}
    if team is not None:
        data["team"] = team
    elif owner is not None and getattr(owner, "team_id", None) and not conversation.team_id:
        data["team"] = owner.team
    conversation = records.update_record(
        actor, conversation, data, expected_version=expected_version, audit_message="assign"
    )
    if owner is not None and getattr(owner, "pk", None) != getattr(actor, "pk", None):
        from relasi.activities.actions import notify_user

        who = str(conversation)
        notify_user(
            owner,
            "conversation",
            conversation.get_absolute_url(),
            lambda: (_("A conversation was assigned to you: %(who)s") % {"who": who}, ""),
            email=False,
        )
    return conversation


def set_status(
    actor: Any,
    conversation: Conversation,
    status: str,
    *,
    snooze_until: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Conversation:
    if status not in ConversationStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    now = timezone.now()
    data: dict[str, Any] = {"status": status, "snoozed_until": None}
    if status == ConversationStatus.SNOOZED:
        if snooze_until is None or snooze_until <= now:
            raise ValidationError({"snooze_until": [_("Choose a time in the future.")]})
        data["snoozed_until"] = snooze_until
    if status == ConversationStatus.CLOSED:
        data.update(resolved_at=now, waiting_since=None)
    elif conversation.status == ConversationStatus.CLOSED:
        data["resolved_at"] = None
    return records.update_record(
        actor, conversation, data, expected_version=expected_version, audit_message="status"
    )


def wake_snoozed(now: dt.datetime | None = None) -> int:
    """Snoozed conversations whose time came are open again (the scheduled sweep)."""
    now = now or timezone.now()
    return Conversation.objects.filter(
        status=ConversationStatus.SNOOZED, snoozed_until__lte=now
    ).update(status=ConversationStatus.OPEN, snoozed_until=None)


def link_customer(actor: Any, conversation: Conversation, customer: Any) -> Conversation:
    """Say who an unmatched (or wrongly matched) conversation is with."""
    return records.update_record(
        actor, conversation, {"customer": customer}, audit_message="link customer"
    )


def transcript(conversation: Conversation, limit: int = 50) -> str:
    lines = []
    for m in conversation.messages.exclude(direction=Direction.NOTE).order_by("-created_at")[
        :limit
    ][::-1]:
        who = m.sender_name or m.sender if m.direction == Direction.INBOUND else str(m.author or "")
        lines.append(f"[{timezone.localtime(m.created_at):%Y-%m-%d %H:%M}] {who}: {m.body}")
    return "\n".join(lines)


def create_ticket(actor: Any, conversation: Conversation) -> Any:
    """Open a ticket from the conversation (its transcript as the description) and link it."""
    from relasi.service.actions.tickets import create_ticket as open_ticket
    from relasi.service.models import TicketType

    if conversation.customer is None:
        raise ValidationError(_("Link the conversation to a customer first."))
    if conversation.ticket_id:
        return conversation.ticket
    ticket_type = TicketType.objects.filter(active=True).order_by("pk").first()
    if ticket_type is None:
        raise ValidationError(_("No ticket type is set up."))
    channel = {"email": "email", "whatsapp": "whatsapp", "sms": "sms"}.get(
        conversation.channel, "web_chat"
    )
    subject = conversation.subject or conversation.preview[:80] or _("Conversation")
    with transaction.atomic():
        ticket = open_ticket(
            actor,
            conversation.customer,
            {
                "ticket_type": ticket_type,
                "channel": channel,
                "subject": subject[:200],
                "description": transcript(conversation),
                "priority": conversation.priority,
            },
        )
        Conversation.objects.filter(pk=conversation.pk).update(ticket=ticket)
        conversation.ticket = ticket
        audit.record(actor, AuditAction.UPDATE, conversation, changes={"ticket": ticket.number})
    return ticket


def create_lead(actor: Any, conversation: Conversation) -> Any:
    """A lead from the conversation (the person's name and address, the transcript as notes)."""
    from relasi.customers.choices import Source
    from relasi.sales.actions.leads import create_lead as new_lead

    if conversation.lead_id:
        return conversation.lead
    first, last = matching._display_name(
        conversation.channel, conversation.contact_address, conversation.contact_name
    )
    data: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "source": Source.MESSAGE,
        "notes": transcript(conversation)[:5000],
    }
    if conversation.channel == "email":
        data["email"] = conversation.contact_address
    elif conversation.channel in ("whatsapp", "sms"):
        data["phone"] = conversation.contact_address
    with transaction.atomic():
        lead = new_lead(actor, data)
        Conversation.objects.filter(pk=conversation.pk).update(lead=lead)
        conversation.lead = lead
        audit.record(actor, AuditAction.UPDATE, conversation, changes={"lead": lead.pk})
    return lead


def link_deal(actor: Any, conversation: Conversation, deal: Any) -> Conversation:
    """Link a deal of the same customer (or of an organisation they belong to)."""
    if deal is not None and conversation.customer_id:
        mine = {conversation.customer_id} | set(
            conversation.customer.memberships.values_list("organization_id", flat=True)
        )
        if not mine & {deal.customer_id, deal.organization_id}:
            raise ValidationError(_("The deal belongs to another customer."))
    return records.update_record(actor, conversation, {"deal": deal}, audit_message="link deal")
