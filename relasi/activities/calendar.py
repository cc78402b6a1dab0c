"""The calendar's data: date ranges for day / week / month (weeks start on Monday, as in
Indonesia), and the activities and visits in a range, grouped by local day. Two queries per
range whatever its size."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from relasi.activities import selectors
from relasi.activities.choices import Kind, Status
from relasi.activities.models import Activity, Visit
from relasi.core.access import visible_to

VIEWS = ("month", "week", "day")
SCOPES = ("mine", "team")
MAX_ITEMS = 1500
ICONS = {
    Kind.TASK: "check2-square",
    Kind.CALL: "telephone",
    Kind.MEETING: "people",
    Kind.APPOINTMENT: "calendar-check",
    "visit": "geo-alt",
}


@dataclass
class Item:
    title: str
    kind: str
    start: dt.datetime  # local time
    end: dt.datetime | None
    all_day: bool
    url: str
    css: str
    owner: str
    owner_id: int | None
    customer: str
    done: bool
    cancelled: bool = False

    @property
    def icon(self) -> str:
        return ICONS.get(self.kind, "circle")

    @property
    def day(self) -> dt.date:
        return self.start.date()


def parse_day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()


def date_range(view: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first day shown, day after the last, previous page's day, next page's day)."""
    if view == "day":
        return (
            day,
            day + dt.timedelta(days=1),
            day - dt.timedelta(days=1),
            day + dt.timedelta(days=1),
        )
    if view == "week":
        start = day - dt.timedelta(days=day.weekday())
        return (
            start,
            start + dt.timedelta(days=7),
            start - dt.timedelta(days=7),
            start + dt.timedelta(days=7),
        )
    first = day.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    last = next_month - dt.timedelta(days=1)
    end = last + dt.timedelta(days=7 - last.weekday())
    return start, end, prev_month, next_month


def aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def activities_in(user: Any, scope: str, start: dt.datetime, end: dt.datetime) -> Any:
    qs = selectors.scoped(user, "mine_and_team" if scope == "team" else "mine")
    return (
        qs.filter(due_at__gte=start, due_at__lt=end)
        .select_related("owner", "customer")
        .order_by("due_at", "id")[:MAX_ITEMS]
    )


def visits_in(user: Any, scope: str, start: dt.datetime, end: dt.datetime) -> Any:
    qs = visible_to(user, Visit.objects.filter(checked_in_at__gte=start, checked_in_at__lt=end))
    if scope == "team":
        qs = qs.filter(owner_id__in=sorted(selectors.team_user_ids(user) | {user.pk}))
    else:
        qs = qs.filter(owner_id=user.pk)
    return qs.select_related("owner", "customer").order_by("checked_in_at", "id")[:MAX_ITEMS]


def items(user: Any, scope: str, start: dt.datetime, end: dt.datetime) -> list[Item]:
    now = timezone.now()
    found: list[Item] = []
    for a in activities_in(user, scope, start, end):
        state = selectors.due_state(a, now)
        found.append(_activity_item(a, state))
    for v in visits_in(user, scope, start, end):
        found.append(
            Item(
                title=v.customer.name,
                kind="visit",
                start=timezone.localtime(v.checked_in_at),
                end=timezone.localtime(v.checked_out_at) if v.checked_out_at else None,
                all_day=False,
                url=v.get_absolute_url(),
                css="info",
                owner=str(v.owner or ""),
                owner_id=v.owner_id,
                customer=v.customer.name,
                done=False,  # a finished visit is not struck through like a finished task
            )
        )
    found.sort(key=lambda i: (i.day, not i.all_day, i.start))
    return found


def _activity_item(a: Activity, state: str) -> Item:
    assert a.due_at is not None
    return Item(
        title=a.title,
        kind=a.kind,
        start=timezone.localtime(a.due_at),
        end=timezone.localtime(a.ends_at) if a.ends_at else None,
        all_day=a.all_day,
        url=a.get_absolute_url(),
        css=selectors.STATE_CSS[state],  # type: ignore[index]
        owner=str(a.owner or ""),
        owner_id=a.owner_id,
        customer=a.customer.name if a.customer else "",
        done=a.status == Status.DONE,
        cancelled=a.status == Status.CANCELLED,
    )


def by_day(found: list[Item]) -> dict[dt.date, list[Item]]:
    days: dict[dt.date, list[Item]] = defaultdict(list)
    for item in found:
        days[item.day].append(item)
    return days


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def weeks(start: dt.date, end: dt.date) -> list[list[dt.date]]:
    days = days_between(start, end)
    return [days[i : i + 7] for i in range(0, len(days), 7)]
