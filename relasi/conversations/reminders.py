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

from relasi.conversations import outbound


def whatsapp_reminder(customer: Any, activity: Any) -> Any:
    from relasi.activities import messaging
    from relasi.privacy import gate

    inbox = outbound.usable_inbox("whatsapp", needs="reminder_template")
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
    outbound.send(inbox, customer, phone, body, template=template, owner=activity.owner)
    return messaging.Delivery(True, "whatsapp")
