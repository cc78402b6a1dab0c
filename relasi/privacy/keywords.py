"""Replies on WhatsApp and SMS that change consent: YA confirms a pending consent (double
opt-in), STOP / BERHENTI withdraws. The conversations inbox and the gateway webhook
(POST /api/v1/privacy/replies) hand every inbound message here first.

Only a message that is nothing but the keyword counts ("ya", "STOP", "berhenti."): "ya, saya
mau tanya harga" is a conversation, not a consent."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from relasi.privacy import consent, suppression
from relasi.privacy.choices import Channel, ConsentSource, ConsentStatus
from relasi.privacy.models import ConsentState, SuppressionReason

CONFIRM_WORDS = {"ya", "yes", "setuju", "ok", "oke", "y"}
STOP_WORDS = {"stop", "berhenti", "unsubscribe", "unreg", "batal", "stop all", "berhenti semua"}
SOURCE: dict[str, str] = {
    Channel.WHATSAPP: ConsentSource.WHATSAPP_REPLY,
    Channel.SMS: ConsentSource.SMS_REPLY,
}
_PUNCT = re.compile(r"[\s\.\!\,]+")


@dataclass
class ReplyResult:
    action: str  # "confirmed", "withdrawn", "suppressed", "none"
    customers: list[int] = field(default_factory=list)
    changed: int = 0
    reply: str = ""  # what to answer the person (in their language), "" for nothing


def keyword(text: str) -> str:
    """'confirm', 'stop' or ''."""
    word = _PUNCT.sub(" ", (text or "").strip().lower()).strip()
    if word in CONFIRM_WORDS:
        return "confirm"
    if word in STOP_WORDS:
        return "stop"
    return ""


def handle_reply(channel: str, sender: str, text: str, evidence: str = "") -> ReplyResult:
    """Apply a keyword reply from `sender` (a phone number in any form) on `channel`."""
    from relasi.customers.models import Customer, PhoneNumber

    kind = keyword(text)
    if channel not in SOURCE or not kind:
        return ReplyResult("none")
    number = suppression.normalise(channel, sender)
    ids = sorted(
        set(PhoneNumber.objects.filter(number=number).values_list("customer_id", flat=True))
    )
    customers = list(Customer.objects.filter(pk__in=ids))
    evidence = (evidence or f"{channel} {number}: {text.strip()[:60]}")[:300]
    result = ReplyResult("none", customers=[c.pk for c in customers])
    language = consent_language(customers)
    with transaction.atomic():
        if kind == "confirm":
            pending = ConsentState.objects.filter(
                customer__in=customers, channel=channel, status=ConsentStatus.PENDING
            ).select_related("event", "purpose", "customer")
            for state in pending:
                consent.record(
                    None,
                    state.customer,
                    state.purpose,
                    channel,
                    ConsentStatus.GRANTED,
                    source=SOURCE[channel],
                    wording=state.event.wording,
                    version=state.event.wording_version,
                    evidence=evidence,
                )
                result.changed += 1
            result.action = "confirmed" if result.changed else "none"
            with translation.override(language):
                result.reply = (
                    _("Thank you, your subscription is confirmed. Reply STOP to stop.")
                    if result.changed
                    else ""
                )
            return result
        # STOP: withdraw marketing-type purposes (consent-based or capped) on this channel for
        # every owner of the number. Service messages (an order update, a ticket reply) go on;
        # the person objects to those in the preference centre.
        from relasi.privacy.models import Purpose

        purposes = [p for p in Purpose.objects.all() if p.needs_consent or p.capped]
        for customer in customers:
            for purpose in purposes:
                if consent.current_status(customer, purpose, channel) == ConsentStatus.WITHDRAWN:
                    continue
                consent.record(
                    None,
                    customer,
                    purpose,
                    channel,
                    ConsentStatus.WITHDRAWN,
                    source=SOURCE[channel],
                    evidence=evidence,
                )
                result.changed += 1
        if customers:
            result.action = "withdrawn"
        else:  # nobody in Relasi has this number: never write to it again anyway
            suppression.suppress(channel, number, SuppressionReason.STOP, note=evidence)
            result.action = "suppressed"
        with translation.override(language):
            result.reply = _("You will receive no more offers from us here.")
    return result


def consent_language(customers: list[Any]) -> str:
    from relasi.privacy.links import language_of

    return language_of(customers[0]) if customers else "id"
