"""Every state change of activities, reminders, notifications, feeds and visits (house rule 2).
Views and the API authorise and validate, then call one of these."""

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relasi.activities import messaging
from relasi.activities.choices import (
    MEETING_KINDS,
    OPEN_STATUSES,
    Confirmation,
    Kind,
    Recipient,
    Status,
)
from relasi.activities.geo import distance_to, site_address, valid_point
from relasi.activities.models import (
    Activity,
    ActivityContact,
    CalendarFeed,
    Notification,
    Reminder,
    Visit,
)
from relasi.core import audit, records
from relasi.core.choices import AuditAction

log = logging.getLogger("relasi.activities")

# --- notifications ------------------------------------------------------------------------------


def in_language_of(user: Any) -> Any:
    """Write a message to `user` in their language, not in the language of whoever acted."""
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def notify(user: Any, text: str, url: str = "", kind: str = "") -> Notification:
    return Notification.objects.create(user=user, text=text[:300], url=url[:300], kind=kind)


def notify_user(
    user: Any, kind: str, url: str, compose: Callable[[], tuple[str, str]], *, email: bool = True
) -> Notification | None:
    """Tell one user about something: a bell notification and (when `email`) an e-mail, both
    written in the recipient's language. `compose()` returns (text, e-mail body) and runs
    under that language; the e-mail's subject is the text. The e-mail leaves after the
    transaction commits, and a failing mail server is logged, never fatal."""
    if user is None or not user.is_active:
        return None
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text, body = compose()
    note = notify(user, text, url, kind)
    if email and user.email:
        link = settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url
        message = f"{body.strip()}\n\n{link}\n" if link else f"{body.strip()}\n"
        subject = " ".join(text.split())[:200]  # no line breaks in a header
        transaction.on_commit(lambda: _mail_user(user.email, subject, message, kind))
    return note


def _mail_user(to: str, subject: str, body: str, kind: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        log.exception("notification e-mail failed", extra={"event": "notify.mail_failed"})


def mark_read(user: Any, *, ids: Iterable[int] | None = None, up_to: int | None = None) -> int:
    """Mark the user's notifications read: the given ids, or everything up to id `up_to` (the
    newest one the user saw, so a notification arriving meanwhile stays unread)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    elif up_to is not None:
        qs = qs.filter(pk__lte=up_to)
    else:
        return 0
    return qs.update(read_at=timezone.now())


# --- activities ---------------------------------------------------------------------------------


def _normalise(data: dict[str, Any], current: Activity | None = None) -> dict[str, Any]:
    """Keep status, completion time and progress consistent, whatever the caller sent."""
    data = dict(data)
    kind = data.get("kind", current.kind if current else Kind.TASK)
    status = data.get("status", current.status if current else Status.OPEN)
    was_open = current is None or current.status in OPEN_STATUSES
    if status == Status.DONE:
        if was_open or not (current and current.done_at):
            data["done_at"] = data.get("done_at") or (
                data.get("due_at") if kind == Kind.CALL and data.get("due_at") else timezone.now()
            )
        data["progress"] = 100
    elif status in OPEN_STATUSES and current is not None and not was_open:
        data["done_at"] = None
    if kind == Kind.CALL and not data.get("due_at") and not (current and current.due_at):
        data["due_at"] = timezone.now()
    if kind in MEETING_KINDS:
        customer = data.get("customer", current.customer if current else None)
        if customer is not None and not data.get("confirmation", current and current.confirmation):
            data["confirmation"] = Confirmation.PENDING
    return data


def create_activity(
    actor: Any,
    data: dict[str, Any],
    *,
    attendees: Iterable[Any] | None = None,
    contacts: Iterable[Any] | None = None,
    remind_minutes: int | None = None,
    remind_customer_minutes: int | None = None,
    tags: Iterable[Any] | None = None,
) -> Activity:
    data = _normalise(data)
    owner = data.get("owner") or actor
    data["owner"] = owner
    data.setdefault("team", getattr(owner, "team", None))
    data["assigned_by"] = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        activity = records.create_record(actor, Activity, data, tags=tags)
        if attendees is not None:
            activity.attendees.set(list(attendees))
        if contacts is not None:
            _set_contacts(activity, contacts)
        set_reminders(activity, remind_minutes, remind_customer_minutes)
        if owner.pk != getattr(actor, "pk", None):
            _notify_assigned(actor, activity)
    return activity


def update_activity(
    actor: Any,
    activity: Activity,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    attendees: Iterable[Any] | None = None,
    contacts: Iterable[Any] | None = None,
    remind_minutes: int | bool | None = False,
    remind_customer_minutes: int | bool | None = False,
    tags: Iterable[Any] | None = None,
) -> Activity:
    """`remind_*=False` leaves those reminders as they are; None removes them."""
    data = _normalise(data, activity)
    new_owner = data.get("owner")
    reassigned = new_owner is not None and new_owner.pk != activity.owner_id
    if reassigned:
        data["assigned_by"] = actor
        data.setdefault("team", getattr(new_owner, "team", None))
    moved = "due_at" in data and data["due_at"] != activity.due_at
    if moved and "ends_at" not in data and activity.ends_at and activity.due_at and data["due_at"]:
        data["ends_at"] = activity.ends_at + (data["due_at"] - activity.due_at)  # keep the length
    if moved and activity.invitation_sent_at and activity.kind in MEETING_KINDS:
        data.setdefault("confirmation", Confirmation.RESCHEDULED)
    with transaction.atomic():
        updated = records.update_record(
            actor, activity, data, expected_version=expected_version, tags=tags
        )
        if attendees is not None:
            updated.attendees.set(list(attendees))
        if contacts is not None:
            _set_contacts(updated, contacts)
        if moved:
            reschedule_reminders(updated)
        set_reminders(updated, remind_minutes, remind_customer_minutes)
        if reassigned and updated.owner_id != getattr(actor, "pk", None):
            _notify_assigned(actor, updated)
    return updated


def complete_activity(actor: Any, activity: Activity, *, expected_version: int | None) -> Activity:
    return update_activity(
        actor, activity, {"status": Status.DONE}, expected_version=expected_version
    )


def delete_activity(actor: Any, activity: Activity) -> None:
    records.delete_record(actor, activity)


def _set_contacts(activity: Activity, customers: Iterable[Any]) -> None:
    wanted = {c.pk: c for c in customers}
    ActivityContact.objects.filter(activity=activity).exclude(customer_id__in=wanted).delete()
    have = set(
        ActivityContact.objects.filter(activity=activity).values_list("customer_id", flat=True)
    )
    ActivityContact.objects.bulk_create(
        [ActivityContact(activity=activity, customer_id=pk) for pk in wanted if pk not in have]
    )


def _notify_assigned(actor: Any, activity: Activity) -> None:
    if activity.owner is None:
        return
    with in_language_of(activity.owner):
        text = _("%(who)s assigned you: %(title)s") % {"who": str(actor), "title": activity.title}
    notify(activity.owner, text, activity.get_absolute_url(), kind="assigned")


# --- reminders ----------------------------------------------------------------------------------


def set_reminders(
    activity: Activity,
    minutes: int | bool | None,
    customer_minutes: int | bool | None = None,
) -> list[Reminder]:
    """Replace the unsent reminders of the assignee and/or the customer: minutes before the
    due time, None for no reminder, False to leave that recipient's reminders as they are."""
    made: list[Reminder] = []
    for recipient, value in ((Recipient.USER, minutes), (Recipient.CUSTOMER, customer_minutes)):
        if value is False:
            continue
        activity.reminders.filter(recipient=recipient, sent_at__isnull=True).delete()
        if value is None or activity.due_at is None:
            continue
        if recipient == Recipient.CUSTOMER and not (
            activity.customer_id and activity.customer and activity.customer.primary_email
        ):
            continue
        reminder = Reminder.objects.create(
            activity=activity,
            recipient=recipient,
            minutes_before=int(value),
            remind_at=activity.due_at - dt.timedelta(minutes=int(value)),
        )
        made.append(reminder)
        _schedule(reminder)
    return made


def reschedule_reminders(activity: Activity) -> None:
    if activity.due_at is None:
        activity.reminders.filter(sent_at__isnull=True).delete()
        return
    for reminder in activity.reminders.filter(sent_at__isnull=True):
        reminder.remind_at = activity.due_at - dt.timedelta(minutes=reminder.minutes_before)
        reminder.save(update_fields=["remind_at"])
        _schedule(reminder)


def _schedule(reminder: Reminder) -> None:
    """Defer delivery to the reminder's time on a backend that can (the database backend);
    elsewhere `manage.py send_due_reminders` (cron) delivers it. Both paths are idempotent."""
    from relasi.activities.tasks import deliver_reminder

    backend = deliver_reminder.get_backend()
    if not backend.supports_defer or reminder.remind_at <= timezone.now():
        return
    pk, when = reminder.pk, reminder.remind_at
    transaction.on_commit(lambda: deliver_reminder.using(run_after=when).enqueue(pk))


# --- appointments -------------------------------------------------------------------------------


def send_invitation(actor: Any, activity: Activity) -> Activity:
    """E-mail the customer the appointment with an .ics file and a confirm/decline link."""
    customer = activity.customer
    if customer is None or not customer.primary_email:
        raise ValidationError(_("The customer has no e-mail address."))
    if activity.due_at is None:
        raise ValidationError(_("Set a date and time first."))
    from relasi.privacy import gate

    decision = gate.may_contact(customer, "email", "service")
    if not decision:
        raise ValidationError(
            _("This customer may not be e-mailed now: %(reason)s") % {"reason": decision.message}
        )
    messaging.send_reminder("email", **messaging.customer_email(activity, customer, reminder=False))
    gate.record_sent(customer, "email", "service")
    data: dict[str, Any] = {"invitation_sent_at": timezone.now()}
    if activity.confirmation in ("", Confirmation.RESCHEDULED):
        data["confirmation"] = Confirmation.PENDING
    return records.update_record(
        actor, activity, data, audit_message=f"invitation e-mailed to {customer.primary_email}"
    )


ANSWERS = {
    "confirm": Confirmation.CONFIRMED,
    "decline": Confirmation.DECLINED,
    "reschedule": Confirmation.RESCHEDULED,
}


def respond(activity: Activity, customer_id: int, answer: str, note: str = "") -> Activity:
    """The customer's answer through the signed link (no account, no actor)."""
    if answer not in ANSWERS:
        raise ValidationError(_("Unknown answer."))
    updated = records.update_record(
        None,
        activity,
        {
            "confirmation": ANSWERS[answer],
            "confirmation_note": note.strip()[:300],
            "responded_at": timezone.now(),
        },
        audit_message=f"answered by customer #{customer_id} through the e-mail link",
    )
    if updated.owner:
        with in_language_of(updated.owner):
            text = _("%(customer)s: %(answer)s — %(title)s") % {
                "customer": updated.customer.name if updated.customer else "",
                "answer": updated.get_confirmation_display(),
                "title": updated.title,
            }
        notify(updated.owner, text, updated.get_absolute_url(), kind="confirmation")
    return updated


# --- calendar feeds -----------------------------------------------------------------------------


def feed_for(user: Any) -> CalendarFeed:
    return CalendarFeed.objects.get_or_create(user=user)[0]


def regenerate_feed(actor: Any, feed: CalendarFeed) -> CalendarFeed:
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token"])
    audit.record(actor, AuditAction.SECURITY, feed, message="calendar feed URL regenerated")
    return feed


def set_feed_scope(actor: Any, feed: CalendarFeed, scope: str) -> CalendarFeed:
    feed.scope = scope
    feed.full_clean()
    feed.save(update_fields=["scope"])
    return feed


# --- field visits -------------------------------------------------------------------------------

OPEN_VISIT_BLOCKS = dt.timedelta(hours=12)


def _point(lat: Any, lng: Any) -> tuple[Decimal, Decimal] | None:
    if lat is None or lng is None:
        return None
    if not valid_point(lat, lng):
        raise ValidationError(_("That is not a valid position."))
    return Decimal(str(round(float(lat), 6))), Decimal(str(round(float(lng), 6)))


def check_in(
    actor: Any,
    customer: Any,
    *,
    lat: Any = None,
    lng: Any = None,
    accuracy: Any = None,
    activity: Activity | None = None,
) -> Visit:
    """Start a visit at `customer`. The position is optional (the rep may refuse location
    access); the distance is known only when both the position and the site are."""
    # One visit at a time; a visit left open for more than a working day was forgotten and
    # does not block the next one (the report shows it as still open).
    since = timezone.now() - OPEN_VISIT_BLOCKS
    open_visit = Visit.objects.filter(
        owner=actor, checked_out_at__isnull=True, checked_in_at__gte=since
    ).first()
    if open_visit is not None:
        raise ValidationError(
            _("You are still checked in at %(customer)s. Check out there first.")
            % {"customer": open_visit.customer}
        )
    point = _point(lat, lng)
    address = site_address(customer)
    site = (address.latitude, address.longitude) if address else None
    data = {
        "customer": customer,
        "activity": activity,
        "owner": actor,
        "team": getattr(actor, "team", None),
        "checked_in_at": timezone.now(),
        "in_lat": point[0] if point else None,
        "in_lng": point[1] if point else None,
        "in_accuracy_m": _accuracy(accuracy),
        "in_distance_m": distance_to(site, *point) if point else None,
        "site_lat": site[0] if site else None,
        "site_lng": site[1] if site else None,
    }
    return records.create_record(actor, Visit, data, audit_message="check-in")


def _accuracy(value: Any) -> int | None:
    try:
        return max(0, round(float(value))) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def check_out(
    actor: Any,
    visit: Visit,
    *,
    lat: Any = None,
    lng: Any = None,
    accuracy: Any = None,
    outcome: str = "",
    notes: str = "",
    expected_version: int | None = None,
) -> Visit:
    if visit.checked_out_at is not None:
        raise ValidationError(_("This visit is already checked out."))
    point = _point(lat, lng)
    site = (visit.site_lat, visit.site_lng) if visit.site_lat is not None else None
    data = {
        "checked_out_at": max(timezone.now(), visit.checked_in_at),
        "out_lat": point[0] if point else None,
        "out_lng": point[1] if point else None,
        "out_accuracy_m": _accuracy(accuracy),
        "out_distance_m": distance_to(site, *point) if point else None,
        "outcome": outcome,
        "notes": notes,
    }
    return records.update_record(
        actor, visit, data, expected_version=expected_version, audit_message="check-out"
    )


def set_location_from_visit(actor: Any, visit: Visit) -> Visit:
    """Use the check-in position as the customer's location (when the address had none)."""
    from relasi.customers import actions as customer_actions
    from relasi.customers.models import Address

    if visit.in_lat is None or visit.in_lng is None:
        raise ValidationError(_("This visit has no check-in position."))
    customer = visit.customer
    with transaction.atomic():
        address = customer.addresses.order_by("-is_primary", "id").first()
        if address is None:
            customer_actions.add_address(
                actor,
                customer,
                {
                    "kind": "home" if customer.is_person else "office",
                    "city": customer.city,
                    "province": customer.province,
                    "latitude": visit.in_lat,
                    "longitude": visit.in_lng,
                },
            )
        else:
            Address.objects.filter(pk=address.pk).update(
                latitude=visit.in_lat, longitude=visit.in_lng
            )
            audit.record(
                actor,
                AuditAction.UPDATE,
                customer,
                changes={
                    "location": [
                        f"{address.latitude},{address.longitude}" if address.latitude else None,
                        f"{visit.in_lat},{visit.in_lng}",
                    ]
                },
                message=f"location set from visit #{visit.pk}",
            )
        return records.update_record(
            actor,
            visit,
            {"site_lat": visit.in_lat, "site_lng": visit.in_lng, "in_distance_m": 0},
            audit_message="customer location set from this check-in",
        )
