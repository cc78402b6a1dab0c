"""Messages to users and customers: the channel hook, appointment e-mails with an .ics
attachment, and the signed links customers answer through without an account.

`send_reminder(channel, ...)` is the one place a channel is chosen. E-mail is built in; a
channel to a customer's phone (WhatsApp) is registered by the conversations app
(`register_customer_channel`), which sends it through its one sender per channel; when none is
registered or the installation cannot use it, `ChannelUnavailable` is raised and callers fall
back to e-mail."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relasi.activities import ics
from relasi.activities.models import Activity
from relasi.core import links

TOKEN_SALT = "relasi.activities.appointment-response"  # noqa: S105 - a salt, not a secret
# A response link works for this long after it was sent, and never after the appointment.
TOKEN_MAX_AGE = dt.timedelta(days=60)
CHANNELS = ("email", "whatsapp")


@dataclass
class Delivery:
    ok: bool
    channel: str
    detail: str = ""


class ChannelUnavailable(Exception):
    """The channel exists in the product but is not set up on this installation."""


# Channels to a customer that higher apps provide: name -> sender(customer, activity) -> Delivery
CustomerSender = Callable[[Any, Activity], "Delivery"]
_CUSTOMER_CHANNELS: dict[str, CustomerSender] = {}


def register_customer_channel(name: str, sender: CustomerSender) -> None:
    _CUSTOMER_CHANNELS[name] = sender


def remind_customer(channel: str, customer: Any, activity: Activity) -> "Delivery":
    """A reminder to `customer` on a registered channel; ChannelUnavailable when there is none
    or it cannot be used for this person now."""
    sender = _CUSTOMER_CHANNELS.get(channel)
    if sender is None:
        raise ChannelUnavailable(_("WhatsApp is not available yet on this installation."))
    return sender(customer, activity)


def send_reminder(
    channel: str,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Delivery:
    """Send one message on `channel` ("email" or "whatsapp"). Raises ChannelUnavailable for a
    channel that is not available, ValueError for an unknown one."""
    if channel == "email":
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        for name, content, mimetype in attachments or []:
            message.attach(name, content, mimetype)
        message.send()
        return Delivery(True, "email")
    if channel == "whatsapp":
        raise ChannelUnavailable(_("WhatsApp is not available yet on this installation."))
    raise ValueError(f"unknown channel {channel!r}")


def deliver_with_fallback(channel: str, **message: Any) -> Delivery:
    """Try the preferred channel, fall back to e-mail when it is unavailable."""
    try:
        return send_reminder(channel, **message)
    except ChannelUnavailable as exc:
        delivery = send_reminder("email", **message)
        delivery.detail = str(exc)
        return delivery


# --- signed response links ----------------------------------------------------------------------


def response_token(activity: Activity, customer_id: int) -> str:
    return signing.dumps({"a": activity.pk, "c": customer_id}, salt=TOKEN_SALT)


def read_token(token: str) -> tuple[int, int]:
    """(activity id, customer id); raises signing.SignatureExpired (a subclass of
    BadSignature) when too old and BadSignature when tampered with."""
    data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    if not isinstance(data, dict) or not {"a", "c"} <= set(data):
        raise signing.BadSignature("malformed")
    return int(data["a"]), int(data["c"])


def response_url(activity: Activity, customer_id: int) -> str:
    path = reverse("activities:respond", args=[response_token(activity, customer_id)])
    return links.absolute(path)


# --- e-mails ------------------------------------------------------------------------------------


def _when(activity: Activity) -> str:
    from django.utils.formats import date_format

    if activity.due_at is None:
        return ""
    local = timezone.localtime(activity.due_at)
    if activity.all_day:
        return date_format(local.date(), "DATE_FORMAT")
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def customer_email(activity: Activity, customer: Any, *, reminder: bool) -> dict[str, Any]:
    """Subject, body and .ics attachment of an invitation or reminder, in the customer's
    preferred language."""
    link = response_url(activity, customer.pk)
    with translation.override(customer.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "activity": activity,
            "customer": customer,
            "when": _when(activity),
            "link": link,
            "company": settings.COMPANY_NAME or "Relasi",
            "reminder": reminder,
        }
        subject = (
            _("Reminder: %(title)s on %(when)s")
            if reminder
            else _("Appointment: %(title)s on %(when)s")
        ) % {"title": activity.title, "when": context["when"]}
        body = render_to_string("activities/email/appointment.txt", context)
        invite = ics.invitation(activity, customer.primary_email, customer.name, link)
    return {
        "to": customer.primary_email,
        "subject": subject,
        "body": body,
        "attachments": [("invite.ics", invite, "text/calendar; method=REQUEST; charset=utf-8")],
    }


def user_email(activity: Activity, user: Any) -> dict[str, Any]:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        when = _when(activity)
        subject = _("Reminder: %(title)s (%(when)s)") % {"title": activity.title, "when": when}
        body = render_to_string(
            "activities/email/reminder_user.txt",
            {
                "activity": activity,
                "user": user,
                "when": when,
                "url": links.absolute(activity.get_absolute_url()),
            },
        )
    return {"to": user.email, "subject": subject, "body": body}
