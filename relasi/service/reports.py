"""The monthly complaint report: complaints opened in a month by category, channel, product and
root cause, with the 12-month trend."""

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth

from relasi.service.actions.tickets import linkable_types
from relasi.service.choices import Channel, RootCause
from relasi.service.kpis import _zone, bounds, tickets
from relasi.service.models import Category, TicketLink


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _rows(pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
    total = sum(n for _label, n in pairs) or 1
    return [
        {"label": label, "count": n, "percent": round(n * 100 / total, 1)}
        for label, n in sorted(pairs, key=lambda p: (-p[1], p[0]))
    ]


def complaint_report(month: dt.date, user: Any = None) -> dict[str, Any]:
    first, last = month_bounds(month)
    lo, hi = bounds(first, last)
    qs = (
        tickets(user=user)
        .filter(ticket_type__is_complaint=True)
        .filter(created_at__gte=lo, created_at__lt=hi)
    )
    totals = qs.aggregate(
        total=Count("id"),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        with_cause=Count("id", filter=~Q(root_cause="")),
        resolution_avg=Avg("resolution_minutes"),
    )
    categories = {c.pk: str(c) for c in Category.objects.all()}
    by_category = [
        (categories.get(r["category"], "—") if r["category"] else "—", r["n"])
        for r in qs.values("category").annotate(n=Count("id")).order_by()
    ]
    by_channel = [
        (
            str(Channel(r["channel"]).label) if r["channel"] in Channel.values else r["channel"],
            r["n"],
        )
        for r in qs.values("channel").annotate(n=Count("id")).order_by()
    ]
    by_cause = [
        (str(RootCause(r["root_cause"]).label) if r["root_cause"] else "—", r["n"])
        for r in qs.values("root_cause").annotate(n=Count("id")).order_by()
    ]
    product_types = [ct for ct in linkable_types() if ct.model == "product"]
    by_product = [
        (r["label"], r["n"])
        for r in TicketLink.objects.filter(
            ticket__in=qs.values("pk"), content_type__in=product_types
        )
        .values("label")
        .annotate(n=Count("ticket", distinct=True))
        .order_by()
    ]
    start_trend = (first.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    t_lo, _t_hi = bounds(start_trend, last)
    trend_rows = (
        tickets(user=user)
        .filter(ticket_type__is_complaint=True)
        .filter(created_at__gte=t_lo, created_at__lt=hi)
        .annotate(m=TruncMonth("created_at", tzinfo=_zone()))
        .values("m")
        .annotate(n=Count("id"))
        .order_by("m")
    )
    counts = {r["m"].date(): r["n"] for r in trend_rows}
    trend, day = [], start_trend
    while day <= first:
        trend.append({"month": day, "count": counts.get(day, 0)})
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {
        "month": first,
        "totals": totals,
        "by_category": _rows(by_category),
        "by_channel": _rows(by_channel),
        "by_product": _rows(by_product),
        "by_root_cause": _rows(by_cause),
        "trend": trend,
    }


def csv_rows(report: dict[str, Any], labels: dict[str, str]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for key in ("by_category", "by_channel", "by_product", "by_root_cause"):
        for row in report[key]:
            rows.append(
                [
                    report["month"].strftime("%Y-%m"),
                    labels[key],
                    row["label"],
                    row["count"],
                    row["percent"],
                ]
            )
    return rows
