"""Business-time arithmetic for SLA clocks: pure functions, no database, no Django.

A `Calendar` says when the business is open: opening intervals per weekday (local time in the
calendar's zone, Asia/Jakarta by default) minus holidays. Clocks count only the open time:

    due = add_business_minutes(cal, created_at, 240)            # 4 business hours later
    spent = business_minutes_between(cal, created_at, now)       # open minutes elapsed
    spent = business_minutes_between(cal, a, b, pauses=[(p1, p2)])  # minus paused stretches

Pauses (a ticket waiting on the customer) are (start, end) pairs of aware datetimes; an end of
None means "still paused". Time inside a pause never counts, open or not.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
MAX_DAYS = 3 * 366  # a target further away than this means the calendar is (nearly) never open

Interval = tuple[int, int]  # minutes after local midnight, end exclusive, 0 <= start < end <= 1440
Pause = tuple[dt.datetime, dt.datetime | None]


def parse_hhmm(text: str) -> int:
    """'08:30' -> 510; '24:00' is allowed as the end of a day."""
    hours, _sep, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= DAY_MINUTES or not 0 <= int(minutes or 0) < 60:
        raise ValueError(f"not a time of day: {text!r}")
    return value


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def normalise_intervals(intervals: Iterable[Sequence[int]]) -> tuple[Interval, ...]:
    """Sorted, merged, validated intervals."""
    cleaned = sorted((int(a), int(b)) for a, b in intervals)
    merged: list[list[int]] = []
    for a, b in cleaned:
        if not 0 <= a < b <= DAY_MINUTES:
            raise ValueError(f"bad opening interval {a}-{b}")
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return tuple((a, b) for a, b in merged)


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday) and closed dates, in one time zone."""

    hours: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Jakarta"))

    @classmethod
    def build(
        cls,
        hours: Mapping[int, Iterable[Sequence[int]]],
        holidays: Iterable[dt.date] = (),
        tz: str | dt.tzinfo = "Asia/Jakarta",
    ) -> "Calendar":
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        return cls(
            hours={int(d): normalise_intervals(v) for d, v in hours.items() if v},
            holidays=frozenset(holidays),
            tz=zone,
        )

    @classmethod
    def always_open(cls, tz: str | dt.tzinfo = "Asia/Jakarta") -> "Calendar":
        return cls.build({d: [(0, DAY_MINUTES)] for d in range(7)}, tz=tz)

    def is_open_on(self, day: dt.date) -> bool:
        return day not in self.holidays and bool(self.hours.get(day.weekday()))

    def open_spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's opening intervals as aware datetimes (empty on holidays and closed days)."""
        if not self.is_open_on(day):
            return []
        # Built from local wall-clock times, so zones with daylight saving stay right.
        return [
            (_local(day, a, self.tz), _local(day, b, self.tz)) for a, b in self.hours[day.weekday()]
        ]

    def is_open_at(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.tz)
        return any(a <= local < b for a, b in self.open_spans(local.date()))


def _local(day: dt.date, minutes: int, tz: dt.tzinfo) -> dt.datetime:
    if minutes >= DAY_MINUTES:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz)


def _require_aware(*moments: dt.datetime | None) -> None:
    for m in moments:
        if m is not None and (m.tzinfo is None or m.utcoffset() is None):
            raise ValueError("business-time arithmetic needs timezone-aware datetimes")


def _minus_pauses(
    start: dt.datetime, end: dt.datetime, pauses: Sequence[Pause]
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The parts of [start, end) outside every pause."""
    pieces = [(start, end)]
    for p_start, p_end in pauses:
        nxt = []
        for a, b in pieces:
            if (p_end is not None and p_end <= a) or p_start >= b:
                nxt.append((a, b))
                continue
            if a < p_start:
                nxt.append((a, p_start))
            if p_end is not None and p_end < b:
                nxt.append((p_end, b))
        pieces = nxt
    yield from pieces


def add_business_minutes(
    cal: Calendar, start: dt.datetime, minutes: float, pauses: Sequence[Pause] = ()
) -> dt.datetime:
    """The moment `minutes` of open (and unpaused) time after `start`.

    Zero minutes returns `start` itself, even outside opening hours. Raises ValueError if the
    calendar is never open within MAX_DAYS (or an open-ended pause swallows the rest)."""
    _require_aware(start, *(p for pair in pauses for p in pair))
    remaining = dt.timedelta(minutes=minutes)
    if remaining <= dt.timedelta(0):
        return start
    day = start.astimezone(cal.tz).date()
    for _i in range(MAX_DAYS):
        for a, b in cal.open_spans(day):
            a = max(a, start)
            if a >= b:
                continue
            for x, y in _minus_pauses(a, b, pauses):
                span = y - x
                if span >= remaining:
                    return (x + remaining).astimezone(start.tzinfo)
                remaining -= span
        day += dt.timedelta(days=1)
    raise ValueError("the calendar has no opening hours within reach")


def business_seconds_between(
    cal: Calendar, start: dt.datetime, end: dt.datetime, pauses: Sequence[Pause] = ()
) -> int:
    """Open (and unpaused) seconds in [start, end); 0 when end <= start."""
    _require_aware(start, end, *(p for pair in pauses for p in pair))
    if end <= start:
        return 0
    total = dt.timedelta(0)
    day = start.astimezone(cal.tz).date()
    last = end.astimezone(cal.tz).date()
    while day <= last:
        for a, b in cal.open_spans(day):
            a, b = max(a, start), min(b, end)
            if a < b:
                for x, y in _minus_pauses(a, b, pauses):
                    total += y - x
        day += dt.timedelta(days=1)
    return int(total.total_seconds())


def business_minutes_between(
    cal: Calendar, start: dt.datetime, end: dt.datetime, pauses: Sequence[Pause] = ()
) -> float:
    return business_seconds_between(cal, start, end, pauses) / 60


def format_duration(minutes: float) -> str:
    """'3 h 20 m', '45 m', '26 h' (business time has no meaningful "days", so hours only)."""
    total = round(abs(minutes))
    hours, mins = divmod(total, 60)
    if hours and mins:
        return f"{hours} h {mins} m"
    if hours:
        return f"{hours} h"
    return f"{mins} m"
