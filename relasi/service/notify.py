"""E-mails the service app sends, each in the recipient's language (plain text)."""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from relasi.core import links, mail

log = logging.getLogger("relasi.service")


def site(path: str) -> str:
    return links.absolute(path)


def _language(customer: Any) -> str:
    lang = getattr(customer, "preferred_language", "") or settings.LANGUAGE_CODE
    return "en" if lang.startswith("en") else "id"


def _send(
    template: str,
    to: str,
    language: str,
    context: dict[str, Any],
    about: Any = None,
    *,
    customer: Any = None,
    requested: bool = False,
) -> bool:
    """The first line of the template is the subject. The outbox (core/mail.py) sanitises
    it, delivers with retries and links the message to `about` (shown on its page).

    A message to a customer asks the privacy gate first (purpose "service"; `requested`: the
    person asked for this very message, only the suppression list applies). False when the
    gate said no (logged with its reason)."""
    if customer is not None or requested:
        from relasi.privacy import gate

        decision = gate.may_contact(customer, "email", "service", address=to, requested=requested)
        if not decision:
            log.info(
                "service e-mail not sent",
                extra={"event": "service.mail_refused", "reason": decision.reason},
            )
            return False
    with translation.override(language):
        text = render_to_string(f"service/email/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    headers = {mail.REF_HEADER: mail.ref_for(about)} if about is not None else {}
    EmailMessage(
        subject.strip()[:200],
        body.strip() + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [to],
        headers=headers,
    ).send()
    if customer is not None:
        from relasi.privacy import gate

        gate.record_sent(customer, "email", "service")
    return True


def ticket_ack(ticket: Any) -> bool:
    email = ticket.customer.primary_email
    if not email:
        return False
    return _send(
        "ticket_ack",
        email,
        _language(ticket.customer),
        {"ticket": ticket, "portal_url": site(reverse("portal:home"))},
        about=ticket,
        customer=ticket.customer,
    )


def reply(message: Any) -> bool:
    ticket = message.ticket
    if not message.emailed_to:
        return False
    return _send(
        "reply",
        message.emailed_to,
        _language(ticket.customer),
        {
            "ticket": ticket,
            "message": message,
            "portal_url": site(reverse("portal:ticket", args=[ticket.pk])),
        },
        about=ticket,
        customer=ticket.customer,
    )


def survey(survey: Any, raw_token: str) -> bool:
    return _send(
        "survey_nps" if survey.kind == "nps" else "survey_csat",
        survey.email,
        survey.language,
        {
            "survey": survey,
            "customer": survey.customer,
            "ticket": survey.ticket,
            "url": site(reverse("portal:survey", args=[raw_token])),
        },
        customer=survey.customer,
    )


def portal_links(email: str, links: list[tuple[Any, str]], language: str, minutes: int) -> None:
    _send(
        "portal_link",
        email,
        language,
        {
            "links": [(c, site(reverse("portal:redeem", args=[raw]))) for c, raw in links],
            "minutes": minutes,
        },
        requested=True,  # the person asked for a sign-in link just now
    )


def staff_email(user: Any, message: str, ticket: Any) -> None:
    """Best effort: an escalation must not fail because the mail server is down."""
    if not user.email:
        return
    try:
        _send(
            "staff_alert",
            user.email,
            getattr(user, "language", "") or settings.LANGUAGE_CODE,
            {"message": message, "ticket": ticket, "url": site(ticket.get_absolute_url())},
        )
    except Exception:
        log.exception("escalation e-mail failed", extra={"event": "service.mail_failed"})
