"""Delivering reminders exactly once.

Two paths lead here: the task deferred to the reminder's time (database task backend) and
`manage.py send_due_reminders` (cron, and the only path where the task backend cannot defer).
Each claims a reminder by setting `sent_at` in one conditional UPDATE; whichever wins sends,
the other finds nothing to do. A failed send releases the claim so the next run retries."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from relasi.activities import actions, messaging
from relasi.activities.choices import OPEN_STATUSES, Recipient
from relasi.activities.models import Reminder

log = logging.getLogger("relasi.activities")
# A reminder that was missed by more than this (server down for days) is dropped, not sent.
STALE_AFTER = dt.timedelta(days=2)


def _claim(reminder_id: int, now: dt.datetime) -> bool:
    return bool(
        Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True, remind_at__lte=now).update(
            sent_at=now
        )
    )


def deliver(reminder_id: int, now: dt.datetime | None = None) -> bool:
    """Send one reminder if it is due and unsent. Returns True when it was sent now."""
    now = now or timezone.now()
    if not _claim(reminder_id, now):
        return False
    reminder = Reminder.objects.select_related(
        "activity", "activity__owner", "activity__customer"
    ).get(pk=reminder_id)
    activity = reminder.activity
    if activity.status not in OPEN_STATUSES or now - reminder.remind_at > STALE_AFTER:
        Reminder.objects.filter(pk=reminder_id).update(error="skipped")
        return False
    try:
        detail = _send(reminder)
    except Exception as exc:
        log.warning("reminder %s failed: %s", reminder_id, type(exc).__name__)
        Reminder.objects.filter(pk=reminder_id).update(sent_at=None, error=str(exc)[:300])
        return False
    if detail:
        Reminder.objects.filter(pk=reminder_id).update(error=detail[:300])
    return True


def _send(reminder: Reminder) -> str:
    activity = reminder.activity
    if reminder.recipient == Recipient.CUSTOMER:
        customer = activity.customer
        if customer is None:
            return "no customer"
        fallback = ""
        if customer.preferred_channel == "whatsapp":
            try:  # the conversations app asks the privacy gate for WhatsApp itself
                return messaging.remind_customer("whatsapp", customer, activity).detail
            except messaging.ChannelUnavailable as exc:
                fallback = str(exc)
        if not customer.primary_email:
            return "no e-mail address" + (f" ({fallback})" if fallback else "")
        from relasi.privacy import gate

        decision = gate.may_contact(customer, "email", "service")
        if not decision:
            return f"not sent: {decision.reason}"
        message = messaging.customer_email(activity, customer, reminder=True)
        delivery = messaging.send_reminder("email", **message)
        gate.record_sent(customer, delivery.channel, "service")
        return fallback or delivery.detail
    user = activity.owner
    if user is None or not user.is_active:
        return "no assignee"
    with override(user.language or None):
        text = _("Reminder: %(title)s") % {"title": activity.title}
    with transaction.atomic():
        actions.notify(user, text, activity.get_absolute_url(), kind="reminder")
    if user.email:
        messaging.send_reminder("email", **messaging.user_email(activity, user))
    return ""


def send_due_reminders(now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Send every due, unsent reminder (oldest first). Safe to run from cron every minute."""
    now = now or timezone.now()
    ids = list(
        Reminder.objects.filter(sent_at__isnull=True, remind_at__lte=now)
        .order_by("remind_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk, now))
