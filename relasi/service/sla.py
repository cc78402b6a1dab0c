"""SLA policies applied to tickets: which policy, the due times, pausing, and the clocks shown
to agents. The arithmetic itself is relasi.service.businesstime (pure, unit-tested)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.service import businesstime as bt
from relasi.service.choices import PAUSED
from relasi.service.models import BusinessHours, Holiday, SLAPolicy, Ticket


def calendar_for(hours: BusinessHours | None) -> bt.Calendar:
    """The business calendar of `hours` (or the default one) with its holidays."""
    if hours is None:
        hours = BusinessHours.objects.filter(is_default=True).first()
    if hours is None:  # nothing configured: the clock always runs
        return bt.Calendar.always_open()
    holidays = Holiday.objects.filter(Q(calendar__isnull=True) | Q(calendar=hours)).values_list(
        "date", flat=True
    )
    return bt.Calendar.build(
        {int(day): spans for day, spans in (hours.hours or {}).items()},
        holidays=holidays,
        tz=hours.timezone or "Asia/Jakarta",
    )


class CalendarCache:
    """Calendars by BusinessHours id for one sweep or page (a query each, once)."""

    def __init__(self) -> None:
        self._by_id: dict[int | None, bt.Calendar] = {}

    def get(self, policy: SLAPolicy | None) -> bt.Calendar:
        key = policy.calendar_id if policy is not None else None
        if key not in self._by_id:
            self._by_id[key] = calendar_for(policy.calendar if policy is not None else None)
        return self._by_id[key]


def first_match(
    policies: list[SLAPolicy], ticket: Ticket, tag_ids: set[int], customer_type: str
) -> SLAPolicy | None:
    """The first policy (already ordered) whose conditions all hold; no queries."""
    for policy in policies:
        if policy.priority and policy.priority != ticket.priority:
            continue
        if policy.ticket_type_id and policy.ticket_type_id != ticket.ticket_type_id:
            continue
        if policy.customer_tag_id and policy.customer_tag_id not in tag_ids:
            continue
        if policy.customer_type and policy.customer_type != customer_type:
            continue
        return policy
    return None


def active_policies() -> list[SLAPolicy]:
    return list(SLAPolicy.objects.filter(active=True).order_by("order", "id"))


def match_policy(ticket: Ticket, tag_ids: set[int] | None = None) -> SLAPolicy | None:
    """The first active policy (by order) whose conditions all hold for the ticket."""
    if tag_ids is None:
        tag_ids = set(ticket.customer.tags.values_list("id", flat=True))
    return first_match(active_policies(), ticket, tag_ids, ticket.customer.customer_type)


def paused_seconds_until(ticket: Ticket, cal: bt.Calendar, now: dt.datetime) -> int:
    """Paused business seconds so far, counting a pause still running."""
    extra = 0
    if ticket.sla_paused_at is not None:
        extra = bt.business_seconds_between(cal, ticket.sla_paused_at, now)
    return ticket.sla_paused_seconds + extra


def compute_dues(ticket: Ticket, policy: SLAPolicy | None, cal: bt.Calendar) -> None:
    """Set the policy and due/warning times from the creation time plus paused time."""
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due = ticket.first_response_warn_at = None
        ticket.resolution_due = ticket.resolution_warn_at = None
        return
    start = ticket.created_at
    paused = ticket.sla_paused_seconds / 60
    warn = policy.warn_percent / 100
    fr, res = policy.first_response_minutes, policy.resolution_minutes
    ticket.first_response_due = bt.add_business_minutes(cal, start, fr + paused)
    ticket.first_response_warn_at = bt.add_business_minutes(cal, start, fr * warn + paused)
    ticket.resolution_due = bt.add_business_minutes(cal, start, res + paused)
    ticket.resolution_warn_at = bt.add_business_minutes(cal, start, res * warn + paused)


def apply_policy(ticket: Ticket, cache: CalendarCache | None = None) -> None:
    policy = match_policy(ticket)
    compute_dues(ticket, policy, (cache or CalendarCache()).get(policy))


def on_status_change(ticket: Ticket, old: str, new: str, now: dt.datetime) -> list[str]:
    """Pause or resume the clocks when the status enters or leaves a paused status.
    Returns the changed field names."""
    was_paused, is_paused = old in PAUSED, new in PAUSED
    if was_paused == is_paused:
        return []
    if is_paused:
        ticket.sla_paused_at = now
        return ["sla_paused_at"]
    cal = CalendarCache().get(ticket.sla_policy)
    if ticket.sla_paused_at is not None:
        ticket.sla_paused_seconds += bt.business_seconds_between(cal, ticket.sla_paused_at, now)
    ticket.sla_paused_at = None
    compute_dues(ticket, ticket.sla_policy, cal)
    return [
        "sla_paused_at",
        "sla_paused_seconds",
        "sla_policy",
        "first_response_due",
        "first_response_warn_at",
        "resolution_due",
        "resolution_warn_at",
    ]


def elapsed_minutes(ticket: Ticket, until: dt.datetime, cal: bt.Calendar | None = None) -> int:
    """Business minutes from creation to `until`, minus paused time."""
    cal = cal or CalendarCache().get(ticket.sla_policy)
    total = bt.business_seconds_between(cal, ticket.created_at, until)
    return max(0, (total - paused_seconds_until(ticket, cal, until)) // 60)


@dataclass
class Clock:
    """One SLA clock as shown to the agent."""

    label: Any
    state: str  # none, met, breached, running, warning, overdue, paused
    due: dt.datetime | None = None
    minutes: float | None = None  # business minutes left (running) or over (overdue)
    taken: int | None = None  # business minutes it took (met / breached)

    @property
    def text(self) -> str:
        return bt.format_duration(self.minutes) if self.minutes is not None else ""

    @property
    def badge(self) -> str:
        return {
            "met": "success",
            "breached": "danger",
            "overdue": "danger",
            "warning": "warning",
            "running": "info",
            "paused": "secondary",
        }.get(self.state, "light")


def _clock(
    label: Any,
    ticket: Ticket,
    due: dt.datetime | None,
    warn_at: dt.datetime | None,
    done_at: dt.datetime | None,
    breached: bool,
    taken: int | None,
    cal: bt.Calendar,
    now: dt.datetime,
) -> Clock:
    if due is None:
        return Clock(label, "none")
    if done_at is not None:
        return Clock(label, "breached" if breached else "met", due, taken=taken)
    if ticket.status in PAUSED:
        return Clock(label, "paused", due)
    if now >= due:
        return Clock(label, "overdue", due, bt.business_minutes_between(cal, due, now))
    left = bt.business_minutes_between(cal, now, due)
    state = "warning" if warn_at is not None and now >= warn_at else "running"
    return Clock(label, state, due, left)


def clocks(ticket: Ticket, now: dt.datetime | None = None) -> list[Clock]:
    """The first-response and resolution clocks of one ticket (detail page, API)."""
    now = now or timezone.now()
    cal = CalendarCache().get(ticket.sla_policy)
    return [
        _clock(
            _("First response"),
            ticket,
            ticket.first_response_due,
            ticket.first_response_warn_at,
            ticket.first_responded_at,
            ticket.first_response_breached,
            ticket.first_response_minutes,
            cal,
            now,
        ),
        _clock(
            _("Resolution"),
            ticket,
            ticket.resolution_due,
            ticket.resolution_warn_at,
            ticket.resolved_at,
            ticket.resolution_breached,
            ticket.resolution_minutes,
            cal,
            now,
        ),
    ]


def list_state(ticket: Ticket, now: dt.datetime | None = None) -> str:
    """A cheap, calendar-free SLA badge for list rows: breached, warning, ok, paused or ''."""
    now = now or timezone.now()
    if ticket.first_response_breached or ticket.resolution_breached:
        return "breached"
    if ticket.status in PAUSED or ticket.resolution_due is None:
        return "paused" if ticket.status in PAUSED and ticket.resolved_at is None else ""
    pending_fr = ticket.first_responded_at is None
    dues: list[tuple[dt.datetime | None, dt.datetime | None]] = [
        (ticket.resolution_due, ticket.resolution_warn_at)
    ]
    if pending_fr:
        dues.append((ticket.first_response_due, ticket.first_response_warn_at))
    if any(due is not None and now >= due for due, _w in dues):
        return "breached"
    if any(warn is not None and now >= warn for _d, warn in dues):
        return "warning"
    return "ok"
