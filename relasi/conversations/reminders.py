"""Appointment reminders over WhatsApp (the activities app asks through
`activities.messaging.remind_customer`; this app registers the channel).

A reminder is a message Relasi starts, outside any 24-hour window, so it goes as the approved
template named in the WhatsApp inbox's settings (`reminder_template`, body parameters: the
customer's first name, the appointment's title, its date and time). Without such an inbox, a
phone number, or the privacy gate's yes for service messages on WhatsApp, the reminder is
unavailable here and the activities app sends it by e-mail instead."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from relasi.conversations import actions, channels
from relasi.conversations.choices import ACTIVE_STATUSES, ConversationStatus
from relasi.conversations.models import Conversation, Inbox


def _inbox() -> Inbox | None:
    adapter = channels.adapter_for("whatsapp")
    for inbox in Inbox.objects.filter(kind="whatsapp", active=True).order_by("pk"):
        problem = getattr(adapter, "problem", None)
        if (inbox.config or {}).get("reminder_template") and not (problem and problem(inbox)):
            return inbox
    return None


def whatsapp_reminder(customer: Any, activity: Any) -> Any:
    from relasi.activities import messaging
    from relasi.privacy import gate

    try:
        inbox = _inbox()
    except channels.ChannelNotConfigured:
        inbox = None
    if inbox is None:
        raise messaging.ChannelUnavailable(
            _("No WhatsApp inbox with an approved reminder template is set up.")
        )
    phone = customer.primary_phone
    decision = gate.may_contact(customer, "whatsapp", "service", address=phone)
    if not phone or not decision:
        raise messaging.ChannelUnavailable(
            str(decision.message) if phone else _("The customer has no phone number.")
        )
    language = (customer.preferred_language or inbox.language or "id")[:2]
    with translation.override(language):
        when = messaging._when(activity)
        body = _("Reminder: %(title)s on %(when)s") % {"title": activity.title, "when": when}
    first = customer.first_name or customer.name.split(" ")[0]
    template = {
        "name": inbox.config["reminder_template"],
        "language": language,
        "params": [first, activity.title, when],
    }
    conv = (
        Conversation.objects.filter(inbox=inbox, contact_address=phone, status__in=ACTIVE_STATUSES)
        .order_by("-last_message_at")
        .first()
    )
    if conv is None:
        conv = Conversation.objects.create(
            inbox=inbox,
            channel=inbox.kind,
            customer=customer,
            contact_address=phone,
            contact_name=customer.name[:200],
            status=ConversationStatus.PENDING,
            owner=activity.owner,
            team=inbox.team or getattr(activity.owner, "team", None),
            language=language,
        )
    actions._queue(conv, body, author=None, template=template)
    return messaging.Delivery(True, "whatsapp")
