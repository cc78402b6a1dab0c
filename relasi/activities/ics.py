"""iCalendar (RFC 5545) output with the `icalendar` library: the private feed and the .ics
invitation attached to appointment e-mails. Times are written in UTC; all-day items as dates."""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.activities.choices import Kind
from relasi.activities.models import Activity, Visit
from relasi.core import links

PRODID = "-//Relasi//Relasi CRM//ID"
DEFAULT_LENGTH = {Kind.CALL: 15, Kind.TASK: 30, Kind.MEETING: 60, Kind.APPOINTMENT: 60}


def _host() -> str:
    return urlsplit(links.site_url()).hostname or "relasi.local"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def activity_uid(activity: Activity) -> str:
    return f"relasi-activity-{activity.pk}@{_host()}"


def _summary(activity: Activity) -> str:
    prefix = {Kind.TASK: _("Task"), Kind.CALL: _("Call")}.get(activity.kind)  # type: ignore[call-overload]
    title = activity.title
    if activity.customer_id and activity.customer and activity.customer.name not in title:
        title = f"{title} · {activity.customer.name}"
    return f"{prefix}: {title}" if prefix else title


def activity_event(activity: Activity, *, description: str | None = None) -> icalendar.Event:
    assert activity.due_at is not None
    event = icalendar.Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", _utc(activity.updated_at or timezone.now()))
    event.add("sequence", max(0, activity.version - 1))
    event.add("summary", _summary(activity))
    if activity.all_day:
        day = timezone.localtime(activity.due_at).date()
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
    else:
        end = activity.ends_at or activity.due_at + dt.timedelta(
            minutes=activity.duration_minutes or DEFAULT_LENGTH.get(activity.kind, 30)  # type: ignore[call-overload]
        )
        event.add("dtstart", _utc(activity.due_at))
        event.add("dtend", _utc(end))
    where = activity.location or activity.online_url
    if where:
        event.add("location", where)
    if activity.online_url:
        event.add("url", activity.online_url)
    text = activity.description if description is None else description
    if text:
        event.add("description", text)
    event.add("status", "CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
    return event


def visit_event(visit: Visit) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"relasi-visit-{visit.pk}@{_host()}")
    event.add("dtstamp", _utc(visit.updated_at or timezone.now()))
    event.add("summary", _("Visit: %(customer)s") % {"customer": visit.customer.name})
    event.add("dtstart", _utc(visit.checked_in_at))
    event.add("dtend", _utc(visit.checked_out_at or visit.checked_in_at + dt.timedelta(minutes=30)))
    if visit.notes:
        event.add("description", visit.notes)
    return event


def calendar(
    events: Iterable[icalendar.Event], *, name: str = "", method: str | None = None
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def invitation(activity: Activity, email: str, name: str, respond_url: str) -> bytes:
    """A METHOD:REQUEST calendar with one event the customer can add to their calendar; the
    answer itself goes through the signed link (no calendar reply is expected)."""
    body = activity.description
    link = _("Confirm or decline: %(url)s") % {"url": respond_url}
    event = activity_event(activity, description=f"{body}\n\n{link}".strip())
    organizer_email = (
        activity.owner.email if activity.owner else ""
    ) or settings.DEFAULT_FROM_EMAIL
    organizer = icalendar.vCalAddress(f"mailto:{organizer_email}")
    if activity.owner:
        organizer.params["cn"] = icalendar.vText(str(activity.owner))
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = icalendar.vText(name)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
    attendee.params["rsvp"] = icalendar.vText("FALSE")
    event.add("attendee", attendee)
    return calendar([event], method="REQUEST")
