"""Service KPIs with the seed-002 §3 formulas — one function the dashboard and the analytics
app share, so both always show the same figures.

    service_kpis(start, end, queue=None, team=None, user=None) -> dict

`start` and `end` are dates (both included, Asia/Jakarta days) or aware datetimes ([start, end)).
Every figure is computed in the database (aggregates over indexed columns):

- SLA compliance % = tickets resolved in the period that met both their first-response and
  resolution targets ÷ tickets resolved in the period that had targets × 100
- Average first-response time = mean business minutes from opening to the first reply (paused
  time excluded), over tickets first answered in the period
- Average resolution time = mean business minutes from opening to resolution (paused time
  excluded), over tickets resolved in the period
- FCR % = tickets resolved at the first contact ÷ tickets resolved in the period × 100
- CSAT % = answers of 4 or 5 ÷ all CSAT answers in the period × 100 (seed 002: positive answers
  ÷ respondents × 100, on the 1–5 scale)
- CES = mean of the CES answers (1–7, 7 = very easy) in the period
- NPS = % promoters (9–10) − % detractors (0–6) among NPS answers in the period (−100 … +100);
  NPS is company-wide, so the queue and team filters do not apply to it
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from relasi.core.access import visible_to
from relasi.service.choices import ACTIVE, SurveyKind
from relasi.service.models import Survey, Ticket

AGE_BUCKETS = [("lt1", 0, 1), ("d1_3", 1, 3), ("d3_7", 3, 7), ("gt7", 7, None)]


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def bounds(
    start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """Aware [from, to): dates are whole local days, `end` included."""
    zone = _zone()
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    if not isinstance(end, dt.datetime):
        end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


def tickets(queue: Any = None, team: Any = None, user: Any = None) -> QuerySet[Ticket]:
    qs: QuerySet[Ticket] = Ticket.objects.filter(merged_into__isnull=True)
    if user is not None:
        qs = visible_to(user, qs)
    if queue:
        qs = qs.filter(queue=queue)
    if team:
        qs = qs.filter(team=team)
    return qs


def surveys(kind: str, queue: Any = None, team: Any = None, user: Any = None) -> QuerySet[Survey]:
    qs = Survey.objects.filter(kind=kind, responded_at__isnull=False)
    if kind == SurveyKind.CSAT and (queue or team or user is not None):
        qs = qs.filter(ticket__in=tickets(queue, team, user).values("pk"))
    elif kind == SurveyKind.NPS and user is not None:
        qs = visible_to(user, qs)
    return qs


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _round(value: Any, digits: int = 1) -> float | None:
    return round(float(value), digits) if value is not None else None


RESOLVED_AGG = {
    "resolved": Count("id"),
    "sla_total": Count("id", filter=Q(resolution_due__isnull=False)),
    "sla_met": Count(
        "id",
        filter=Q(
            resolution_due__isnull=False,
            first_response_breached=False,
            resolution_breached=False,
        ),
    ),
    "resolution_avg": Avg("resolution_minutes"),
    "fcr_yes": Count("id", filter=Q(fcr=True)),
}
CSAT_AGG = {
    "csat_total": Count("id", filter=Q(csat__isnull=False)),
    "csat_positive": Count("id", filter=Q(csat__gte=4)),
    "ces_avg": Avg("ces"),
    "ces_total": Count("id", filter=Q(ces__isnull=False)),
}
NPS_AGG = {
    "nps_total": Count("id"),
    "promoters": Count("id", filter=Q(nps__gte=9)),
    "detractors": Count("id", filter=Q(nps__lte=6)),
}


def _figures(
    r: dict[str, Any], fr: dict[str, Any], cs: dict[str, Any], np_: dict[str, Any]
) -> dict[str, Any]:
    nps_total = np_.get("nps_total") or 0
    promoters, detractors = np_.get("promoters") or 0, np_.get("detractors") or 0
    return {
        "resolved": r.get("resolved") or 0,
        "sla": {
            "met": r.get("sla_met") or 0,
            "total": r.get("sla_total") or 0,
            "percent": _pct(r.get("sla_met") or 0, r.get("sla_total") or 0),
        },
        "first_response_minutes": _round(fr.get("fr_avg")),
        "first_response_count": fr.get("fr_count") or 0,
        "resolution_minutes": _round(r.get("resolution_avg")),
        "fcr": {
            "yes": r.get("fcr_yes") or 0,
            "total": r.get("resolved") or 0,
            "percent": _pct(r.get("fcr_yes") or 0, r.get("resolved") or 0),
        },
        "csat": {
            "positive": cs.get("csat_positive") or 0,
            "total": cs.get("csat_total") or 0,
            "percent": _pct(cs.get("csat_positive") or 0, cs.get("csat_total") or 0),
        },
        "ces": {"mean": _round(cs.get("ces_avg"), 2), "total": cs.get("ces_total") or 0},
        "nps": {
            "promoters": promoters,
            "passives": nps_total - promoters - detractors,
            "detractors": detractors,
            "total": nps_total,
            "score": round((promoters - detractors) * 100 / nps_total, 1) if nps_total else None,
        },
    }


def service_kpis(
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    *,
    queue: Any = None,
    team: Any = None,
    user: Any = None,
) -> dict[str, Any]:
    """The service KPIs for [start, end] (see the module docstring for every formula)."""
    lo, hi = bounds(start, end)
    base = tickets(queue, team, user)
    resolved = base.filter(resolved_at__gte=lo, resolved_at__lt=hi).aggregate(**RESOLVED_AGG)
    first = base.filter(first_responded_at__gte=lo, first_responded_at__lt=hi).aggregate(
        fr_avg=Avg("first_response_minutes"), fr_count=Count("id")
    )
    csat = (
        surveys(SurveyKind.CSAT, queue, team, user)
        .filter(responded_at__gte=lo, responded_at__lt=hi)
        .aggregate(**CSAT_AGG)
    )
    nps = (
        surveys(SurveyKind.NPS, user=user)
        .filter(responded_at__gte=lo, responded_at__lt=hi)
        .aggregate(**NPS_AGG)
    )
    figures = _figures(resolved, first, csat, nps)
    figures["created"] = base.filter(created_at__gte=lo, created_at__lt=hi).count()
    figures["open_now"] = base.filter(status__in=ACTIVE).count()
    figures["period"] = {"start": lo, "end": hi}
    return figures


def _buckets(lo: dt.datetime, hi: dt.datetime, bucket: str) -> list[dt.date]:
    day = timezone.localtime(lo, _zone()).date()
    last = timezone.localtime(hi - dt.timedelta(microseconds=1), _zone()).date()
    if bucket == "month":
        day = day.replace(day=1)
    else:
        day -= dt.timedelta(days=day.weekday())
    out = []
    while day <= last:
        out.append(day)
        day = (
            (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            if bucket == "month"
            else day + dt.timedelta(days=7)
        )
    return out


def _grouped(
    qs: QuerySet, field: str, bucket: str, lo: dt.datetime, hi: dt.datetime, agg: dict
) -> dict[dt.date, dict]:
    trunc = TruncMonth if bucket == "month" else TruncWeek
    rows = (
        qs.filter(**{f"{field}__gte": lo, f"{field}__lt": hi})
        .annotate(b=trunc(field, tzinfo=_zone()))
        .values("b")
        .annotate(**agg)
        .order_by("b")
    )
    out = {}
    for row in rows:
        key = row.pop("b")
        out[key.date() if isinstance(key, dt.datetime) else key] = row
    return out


def trends(
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    bucket: str = "week",
    *,
    queue: Any = None,
    team: Any = None,
    user: Any = None,
) -> list[dict[str, Any]]:
    """The same figures per week (Monday-based) or month: five grouped queries in all."""
    bucket = "month" if bucket == "month" else "week"
    lo, hi = bounds(start, end)
    base = tickets(queue, team, user)
    resolved = _grouped(base, "resolved_at", bucket, lo, hi, RESOLVED_AGG)
    first = _grouped(
        base,
        "first_responded_at",
        bucket,
        lo,
        hi,
        {"fr_avg": Avg("first_response_minutes"), "fr_count": Count("id")},
    )
    created = _grouped(base, "created_at", bucket, lo, hi, {"n": Count("id")})
    csat = _grouped(
        surveys(SurveyKind.CSAT, queue, team, user), "responded_at", bucket, lo, hi, CSAT_AGG
    )
    nps = _grouped(surveys(SurveyKind.NPS, user=user), "responded_at", bucket, lo, hi, NPS_AGG)
    series = []
    for day in _buckets(lo, hi, bucket):
        figures = _figures(
            resolved.get(day, {}), first.get(day, {}), csat.get(day, {}), nps.get(day, {})
        )
        figures["created"] = created.get(day, {}).get("n", 0)
        figures["bucket"] = day
        series.append(figures)
    return series


def open_by_queue(
    queue: Any = None, team: Any = None, user: Any = None, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Active tickets per queue by age (under 1 day, 1–3, 3–7, over 7 days): one query."""
    now = now or timezone.now()
    agg: dict[str, Any] = {"total": Count("id")}
    for key, low, high in AGE_BUCKETS:
        cond = Q(created_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            cond &= Q(created_at__gt=now - dt.timedelta(days=high))
        agg[key] = Count("id", filter=cond)
    rows = (
        tickets(queue, team, user)
        .filter(status__in=ACTIVE)
        .values("queue_id", "queue__name")
        .annotate(**agg)
        .order_by("queue__name")
    )
    return [dict(row) for row in rows]
