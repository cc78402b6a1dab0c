"""Double opt-in on WhatsApp and SMS: the privacy app records a pending consent and asks here
for the "reply YA" message (privacy.links.register_confirmation_sender). WhatsApp needs an
approved template (the inbox's `optin_template`, parameters: the person's first name and the
purpose); SMS sends the text. The reply itself comes back through actions.receive, whose keyword
handling confirms the consent."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from relasi.conversations import outbound


def _request(channel: str, event: Any, customer: Any) -> bool:
    from relasi.privacy import gate
    from relasi.privacy.links import company_name, language_of

    needs = "optin_template" if channel == "whatsapp" else ""
    inbox = outbound.usable_inbox(channel, needs=needs)
    phone = customer.primary_phone
    if inbox is None or not phone:
        return False
    if not gate.may_contact(customer, channel, "service", address=phone, requested=True):
        return False
    language = language_of(customer)
    first = customer.first_name or customer.name.split(" ")[0]
    with translation.override(language):
        purpose = str(event.purpose.label)
        body = _(
            "%(company)s: reply YA to receive %(purpose)s messages here, or STOP to refuse."
        ) % {"company": company_name(), "purpose": purpose.lower()}
    template = None
    if channel == "whatsapp":
        template = {"name": inbox.config["optin_template"], "language": language,
                    "params": [first, purpose]}  # fmt: skip
    outbound.send(inbox, customer, phone, body, template=template)
    return True


def whatsapp_request(event: Any, customer: Any) -> bool:
    return _request("whatsapp", event, customer)


def sms_request(event: Any, customer: Any) -> bool:
    return _request("sms", event, customer)
