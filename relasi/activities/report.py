"""The attendance / visits report: per rep per day, the visits, time on site, visits still
open and visits checked in or out farther than ALERT_DISTANCE_M from the customer's address."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from relasi.activities.geo import ALERT_DISTANCE_M


@dataclass
class Row:
    day: dt.date
    owner_id: int | None
    owner: str
    team: str
    visits: int = 0
    minutes_on_site: int = 0
    open: int = 0
    anomalies: int = 0
    unknown_distance: int = 0
    first_in: dt.datetime | None = None
    last_out: dt.datetime | None = None
    visit_ids: list[int] = field(default_factory=list)


FIELDS = (
    "id",
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "owner__team__name",
    "checked_in_at",
    "checked_out_at",
    "in_distance_m",
    "out_distance_m",
)


def rows(visits: QuerySet) -> list[Row]:
    """One row per (rep, local day), newest day first, then by rep name. One query."""
    table: dict[tuple[dt.date, int | None], Row] = {}
    for v in visits.order_by().values(*FIELDS):
        local_in = timezone.localtime(v["checked_in_at"])
        key = (local_in.date(), v["owner_id"])
        row = table.get(key)
        if row is None:
            name = f"{v['owner__first_name']} {v['owner__last_name']}".strip()
            row = table[key] = Row(
                local_in.date(),
                v["owner_id"],
                name or v["owner__username"] or "—",
                v["owner__team__name"] or "",
            )
        row.visits += 1
        row.visit_ids.append(v["id"])
        row.first_in = min(row.first_in or local_in, local_in)
        out = v["checked_out_at"]
        if out is None:
            row.open += 1
        else:
            local_out = timezone.localtime(out)
            row.minutes_on_site += int((out - v["checked_in_at"]).total_seconds() // 60)
            row.last_out = max(row.last_out or local_out, local_out)
        distances = [d for d in (v["in_distance_m"], v["out_distance_m"]) if d is not None]
        if not distances:
            row.unknown_distance += 1
        elif max(distances) > ALERT_DISTANCE_M:
            row.anomalies += 1
    return sorted(table.values(), key=lambda r: (-r.day.toordinal(), r.owner.lower()))


def totals(report: list[Row]) -> dict[str, Any]:
    return {
        "visits": sum(r.visits for r in report),
        "minutes_on_site": sum(r.minutes_on_site for r in report),
        "open": sum(r.open for r in report),
        "anomalies": sum(r.anomalies for r in report),
        "unknown_distance": sum(r.unknown_distance for r in report),
        "reps": len({r.owner_id for r in report}),
    }


def hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"
