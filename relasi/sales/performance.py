"""Sales performance figures for a rep or a team over a period: won value against quota,
win rate, conversion by stage (funnel), average deal size, sales cycle, activities logged.

Every figure is one aggregate query (or one pass over the period's stage history), so the
page costs the same whatever the number of deals; the tests compare each figure with a
hand-written SQL ground truth."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from relasi.sales import periods
from relasi.sales.choices import DealStatus, StageKind
from relasi.sales.models import DealStageChange, Pipeline, Quota


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def activity_counts(
    user_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, int] | None:
    """Activities logged per user, from the activities app when it offers
    `relasi.activities.stats.activity_counts`; None when it does not (shown as "—")."""
    try:
        from relasi.activities import stats  # type: ignore[attr-defined]
    except ImportError:
        return None
    fn = getattr(stats, "activity_counts", None)
    if fn is None:
        return None
    try:
        raw = dict(fn(user_ids, start, end))
    except Exception:  # another app's bug must not break this page
        return None
    # Per user either a number or {kind: count} (tasks, calls, meetings, visits …).
    return {int(uid): sum(v.values()) if isinstance(v, dict) else int(v) for uid, v in raw.items()}


def summary(deals: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Won/lost counts and values, average deal size, cycle time for deals closed in range."""
    a, b = _bounds(start, end)
    closed = deals.filter(closed_at__gte=a, closed_at__lt=b)
    won = closed.filter(status=DealStatus.WON)
    agg = won.aggregate(
        n=Count("id"),
        total=Sum("value"),
        avg=Avg("value"),
        cycle=Avg(
            ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
        ),
    )
    lost = closed.filter(status=DealStatus.LOST).count()
    won_n = agg["n"] or 0
    cycle = agg["cycle"]
    if cycle is not None and not isinstance(cycle, dt.timedelta):  # SQLite returns microseconds
        cycle = dt.timedelta(microseconds=int(cycle))
    return {
        "won_count": won_n,
        "won_value": Decimal(agg["total"] or 0),
        "avg_deal": Decimal(agg["avg"] or 0).quantize(Decimal(1)) if agg["avg"] else Decimal(0),
        "lost_count": lost,
        "win_rate": round(100 * won_n / (won_n + lost), 1) if won_n + lost else None,
        "cycle_days": round(cycle.total_seconds() / 86400, 1) if cycle is not None else None,
        "open_count": deals.filter(status=DealStatus.OPEN).count(),
        "open_value": Decimal(
            deals.filter(status=DealStatus.OPEN).aggregate(s=Sum("value"))["s"] or 0
        ),
    }


def funnel(deals: Any, pipeline: Pipeline, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """For deals of `pipeline` created in range: how many reached each open stage and won,
    and the conversion from each step to the next. A deal "reached" a stage when its history
    shows it in that stage or any later (non-lost) stage."""
    a, b = _bounds(start, end)
    stages = [s for s in pipeline.stages.all() if s.kind != StageKind.LOST]
    order = {s.pk: i for i, s in enumerate(stages)}
    ids = deals.filter(pipeline=pipeline, created_at__gte=a, created_at__lt=b).values("pk")
    furthest: dict[int, int] = {}
    for deal_id, stage_id in DealStageChange.objects.filter(deal_id__in=ids).values_list(
        "deal_id", "to_stage_id"
    ):
        if stage_id in order:
            furthest[deal_id] = max(furthest.get(deal_id, -1), order[stage_id])
    reached = [0] * len(stages)
    for idx in furthest.values():
        for i in range(idx + 1):
            reached[i] += 1
    out = []
    for i, stage in enumerate(stages):
        nxt = reached[i + 1] if i + 1 < len(stages) else None
        out.append(
            {
                "stage": stage.name,
                "kind": stage.kind,
                "reached": reached[i],
                "conversion": round(100 * nxt / reached[i], 1)
                if nxt is not None and reached[i]
                else None,
                "of_first": round(100 * reached[i] / reached[0], 1) if reached[0] else None,
            }
        )
    return out


def monthly_won(deals: Any, months: int = 12, today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    first = periods.add_months(dt.date(today.year, today.month, 1), -(months - 1))
    a, _b = _bounds(first, periods.add_months(dt.date(today.year, today.month, 1), 1))
    rows = (
        deals.filter(status=DealStatus.WON, closed_at__gte=a)
        .annotate(m=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
        .values("m")
        .annotate(total=Sum("value"), n=Count("id"))
        .order_by("m")
    )
    by_month = {(r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]): r for r in rows}
    out = []
    for i in range(months):
        m = periods.add_months(first, i)
        r = by_month.get(m)
        out.append(
            {
                "month": f"{m:%Y-%m}",
                "won": float(r["total"] or 0) if r else 0.0,
                "count": r["n"] if r else 0,
            }
        )
    return out


def by_rep(deals: Any, start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    a, b = _bounds(start, end)
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"won_value": Decimal(0), "won_count": 0, "lost_count": 0}
    )
    for r in (
        deals.filter(
            closed_at__gte=a, closed_at__lt=b, status__in=[DealStatus.WON, DealStatus.LOST]
        )
        .values("owner_id", "status")
        .annotate(n=Count("id"), total=Sum("value"))
        .order_by()
    ):
        row = out[r["owner_id"]]
        if r["status"] == DealStatus.WON:
            row["won_value"] = Decimal(r["total"] or 0)
            row["won_count"] = r["n"]
        else:
            row["lost_count"] = r["n"]
    return out


def quota_for(
    kind: str, start: dt.date, *, user_id: int | None = None, team_id: int | None = None
) -> Decimal | None:
    q = Quota.objects.filter(period_kind=kind, period_start=start)
    q = q.filter(user_id=user_id) if user_id else q.filter(team_id=team_id or 0)
    found = q.first()
    if found is not None:
        return found.amount
    if team_id:  # a team without its own quota: the sum of its reps' quotas
        total = Quota.objects.filter(
            period_kind=kind, period_start=start, user__team_id=team_id
        ).aggregate(s=Sum("amount"))["s"]
        return Decimal(total) if total else None
    return None
