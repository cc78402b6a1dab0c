"""Signed links a person uses without an account: the preference centre, one-click unsubscribe
(RFC 8058) and the double opt-in confirmation. Tokens are signed with SECRET_KEY (Django's
signing); none of them holds more than ids."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from relasi.core import links, mail

PREFERENCES_SALT = "relasi.privacy.preferences"
UNSUBSCRIBE_SALT = "relasi.privacy.unsubscribe"
CONFIRM_SALT = "relasi.privacy.confirm"
# A preference link can grant consent: it expires. An unsubscribe link only withdraws, and must
# keep working in old e-mails.
PREFERENCES_MAX_AGE = dt.timedelta(days=180)
CONFIRM_MAX_AGE = dt.timedelta(days=7)


def preferences_token(customer: Any) -> str:
    return signing.dumps({"c": customer.pk}, salt=PREFERENCES_SALT)


def preferences_url(customer: Any) -> str:
    return links.absolute(reverse("privacy:preferences", args=[preferences_token(customer)]))


def read_preferences(token: str) -> int:
    """The customer id; raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=PREFERENCES_SALT, max_age=PREFERENCES_MAX_AGE)
    return int(data["c"])


def unsubscribe_token(customer: Any, purpose_key: str, channel: str = "email") -> str:
    return signing.dumps({"c": customer.pk, "p": purpose_key, "ch": channel}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(customer: Any, purpose_key: str, channel: str = "email") -> str:
    token = unsubscribe_token(customer, purpose_key, channel)
    return links.absolute(reverse("privacy:unsubscribe", args=[token]))


def read_unsubscribe(token: str) -> tuple[int, str, str]:
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["c"]), str(data["p"]), str(data.get("ch", "email"))


def unsubscribe_headers(customer: Any, purpose_key: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers for an e-mail sent for `purpose_key`: mail clients show an
    "Unsubscribe" button that POSTs `List-Unsubscribe=One-Click` to the link."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(customer, purpose_key)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirm_token(event_id: int) -> str:
    return signing.dumps({"e": event_id}, salt=CONFIRM_SALT)


def read_confirm(token: str) -> int:
    return int(signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)["e"])


def company_name() -> str:
    from relasi.core.models import CompanyProfile

    return CompanyProfile.current().display_name or "Relasi"


def language_of(customer: Any) -> str:
    lang = getattr(customer, "preferred_language", "") or settings.LANGUAGE_CODE
    return "en" if lang.startswith("en") else "id"


# Who asks for a "reply YA" on a phone channel (the conversations app registers WhatsApp and
# SMS): sender(event, customer) -> True when the request went out.
_PHONE_REQUESTS: dict[str, Any] = {}


def register_confirmation_sender(channel: str, sender: Any) -> None:
    _PHONE_REQUESTS[channel] = sender


def can_request(channel: str) -> bool:
    return channel == "email" or channel in _PHONE_REQUESTS


def send_confirmation(event_id: int) -> bool:
    """Ask the person to confirm a pending consent: the double opt-in link by e-mail, or on
    WhatsApp/SMS a message to answer YA (sent by the registered channel). False when nothing
    was sent (the event is gone, no longer pending, or the address may not be written to)."""
    from relasi.privacy import gate
    from relasi.privacy.choices import ConsentStatus
    from relasi.privacy.models import ConsentEvent, ConsentState

    event = ConsentEvent.objects.select_related("customer", "purpose").filter(pk=event_id).first()
    if event is None:
        return False
    state = ConsentState.objects.filter(
        customer_id=event.customer_id, purpose_id=event.purpose_id, channel=event.channel
    ).first()
    if state is None or state.event_id != event.pk or state.status != ConsentStatus.PENDING:
        return False
    customer = event.customer
    if event.channel != "email":
        sender = _PHONE_REQUESTS.get(event.channel)
        return bool(sender is not None and sender(event, customer))
    decision = gate.may_contact(customer, "email", "service", requested=True)
    if not decision:
        return False
    url = links.absolute(reverse("privacy:confirm", args=[confirm_token(event.pk)]))
    with translation.override(language_of(customer)):
        text = render_to_string(
            "privacy/email/confirm.txt",
            {
                "customer": customer,
                "purpose": event.purpose,
                "url": url,
                "company": company_name(),
                "days": CONFIRM_MAX_AGE.days,
            },
        )
    subject, _sep, body = text.strip().partition("\n")
    EmailMessage(
        subject.strip()[:200],
        body.strip() + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [decision.address],
        headers={mail.REF_HEADER: mail.ref_for(customer)},
    ).send()
    return True
