"""Home page panels of sales: a rep's pipeline by stage and quota attainment, the team's
pipeline for managers, and lead sources, segments and web-form leads for marketing.

Each panel is a fixed handful of aggregate queries, scoped by the access layer."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core import dashboard
from relasi.core.access import visible_to
from relasi.customers.models import Group
from relasi.sales import periods
from relasi.sales.choices import DealStatus, PeriodKind
from relasi.sales.models import Deal, Lead, Quota

ZERO = Decimal(0)
WEIGHTED = ExpressionWrapper(
    F("value") * F("stage__probability") / 100, output_field=DecimalField(max_digits=20)
)


def _period_bounds(start: dt.date, kind: str) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    end = periods.period_end(start, kind)
    return dt.datetime.combine(start, dt.time.min, tz), dt.datetime.combine(end, dt.time.min, tz)


def _by_stage(deals: QuerySet[Deal]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in deals.filter(status=DealStatus.OPEN)
        .values("stage_id", "stage__name", "stage__order", "pipeline__name", "currency")
        .annotate(n=Count("pk"), total=Sum("value"), weighted=Sum(WEIGHTED))
        .order_by("pipeline__name", "stage__order", "stage_id", "currency")
    ]
    top = max((r["total"] or ZERO for r in rows), default=ZERO)
    pipelines = {r["pipeline__name"] for r in rows}
    for r in rows:
        r["total"] = r["total"] or ZERO
        r["share"] = int(100 * r["total"] / top) if top else 0
        r["label"] = (
            f"{r['pipeline__name']} · {r['stage__name']}"
            if len(pipelines) > 1
            else r["stage__name"]
        )
    return rows


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open count, value and weighted value per currency (mixed currencies are never added)."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = out.setdefault(r["currency"], {"currency": r["currency"], "n": 0, "total": ZERO})
        t["n"] += r["n"]
        t["total"] += r["total"]
        t["weighted"] = t.get("weighted", ZERO) + (r["weighted"] or ZERO)
    return list(out.values())


def _current_quota(user_ids: list[int], today: dt.date) -> dict[int, Quota]:
    """Each rep's quota for the period containing today: the month's if set, else the
    quarter's (one query)."""
    month = periods.period_start(today, PeriodKind.MONTH)
    quarter = periods.period_start(today, PeriodKind.QUARTER)
    found: dict[int, Quota] = {}
    for q in Quota.objects.filter(user_id__in=user_ids).filter(
        Q(period_kind=PeriodKind.MONTH, period_start=month)
        | Q(period_kind=PeriodKind.QUARTER, period_start=quarter)
    ):
        if q.user_id is not None and (q.user_id not in found or q.period_kind == "month"):
            found[q.user_id] = q
    return found


NAME = ("owner_id", "owner__first_name", "owner__last_name", "owner__username")


def _won(deals: QuerySet[Deal], start: dt.date, kind: str) -> dict[int | None, dict[str, Any]]:
    """Won value per owner in the period (with the owner's name, for the team table)."""
    a, b = _period_bounds(start, kind)
    rows = (
        deals.filter(status=DealStatus.WON, closed_at__gte=a, closed_at__lt=b)
        .values(*NAME)
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {r["owner_id"]: {**r, "total": Decimal(r["total"] or 0)} for r in rows}


def _name(row: dict[str, Any]) -> str:
    full = " ".join(p for p in (row.get("owner__first_name"), row.get("owner__last_name")) if p)
    return full or row.get("owner__username") or ""


def _attainment(won: Decimal, quota: Decimal | None) -> int | None:
    return int(won * 100 / quota) if quota else None


@dashboard.panel
def my_pipeline(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.SALES not in audiences or not user.has_module_perm("sales"):
        return None
    mine = Deal.objects.filter(owner=user)
    rows = _by_stage(mine)
    today = timezone.localdate()
    quota = _current_quota([user.pk], today).get(user.pk)
    kind = quota.period_kind if quota else PeriodKind.QUARTER
    start = periods.period_start(today, kind)
    won = _won(mine, start, kind).get(user.pk, {}).get("total", ZERO)
    return dashboard.Panel(
        _("My pipeline and quota"),
        "sales/home/_my_pipeline.html",
        {
            "rows": rows,
            "totals": _totals(rows),
            "quota": quota,
            "won": won,
            "attainment": _attainment(won, quota.amount if quota else None),
            "period": periods.label(start, kind),
            "currency": quota.currency if quota else settings.DEFAULT_CURRENCY,
            "performance_url": reverse("sales:performance"),
        },
        order=20,
        url=reverse("sales:board_default"),
        key="pipeline",
    )


@dashboard.panel
def team_pipeline(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.MANAGER not in audiences or not user.has_module_perm("sales"):
        return None
    deals = visible_to(user, Deal.objects.all())
    per_rep = (
        deals.filter(status=DealStatus.OPEN)
        .values(*NAME)
        .annotate(n=Count("pk"), total=Sum("value"), weighted=Sum(WEIGHTED))
        .order_by()
    )
    today = timezone.localdate()
    won: dict[str, dict[int | None, dict[str, Any]]] = {
        kind: _won(deals, periods.period_start(today, kind), kind)
        for kind in (PeriodKind.MONTH, PeriodKind.QUARTER)
    }
    reps: dict[Any, dict[str, Any]] = {r["owner_id"]: dict(r) for r in per_rep}
    for found in won.values():
        for owner_id, r in found.items():
            reps.setdefault(owner_id, {**r, "n": 0, "total": ZERO, "weighted": ZERO})
    quotas = _current_quota([k for k in reps if k], today)
    rows = []
    for owner_id, r in reps.items():
        quota = quotas.get(owner_id)
        # A monthly quota is measured against the month's wins, a quarterly one the quarter's.
        kind = quota.period_kind if quota else PeriodKind.QUARTER
        won_value = won[kind].get(owner_id, {}).get("total", ZERO)
        rows.append(
            {
                "name": _name(r) or _("(no owner)"),
                "n": r["n"],
                "total": r["total"] or ZERO,
                "weighted": r["weighted"] or ZERO,
                "won": won_value,
                "quota": quota.amount if quota else None,
                "period": periods.label(periods.period_start(today, kind), kind),
                "attainment": _attainment(won_value, quota.amount if quota else None),
            }
        )
    rows.sort(key=lambda r: (r["total"], r["won"]), reverse=True)
    stages = _by_stage(deals)
    return dashboard.Panel(
        _("Team pipeline"),
        "sales/home/_team_pipeline.html",
        {
            "reps": rows,
            "stages": stages,
            "totals": _totals(stages),
            "currency": settings.DEFAULT_CURRENCY,
        },
        order=20,
        wide=True,
        url=reverse("sales:forecast"),
        key="team-pipeline",
    )


@dashboard.panel
def marketing(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.MARKETING not in audiences or not user.has_module_perm("sales"):
        return None
    since = timezone.now() - dt.timedelta(days=30)
    leads = visible_to(user, Lead.objects.all())
    sources: list[dict[str, Any]] = [
        dict(r)
        for r in leads.filter(created_at__gte=since)
        .values("source")
        .annotate(n=Count("pk"), converted=Count("pk", filter=Q(converted_at__isnull=False)))
        .order_by("-n")
    ]
    labels = dict(Lead._meta.get_field("source").choices or [])
    top = max((s["n"] for s in sources), default=0)
    for s in sources:
        s["label"] = labels.get(s["source"], s["source"])
        s["share"] = int(100 * s["n"] / top) if top else 0
    segments: list[Any] = []
    if user.has_module_perm("customers"):
        segments = list(
            visible_to(user, Group.objects.all())
            .annotate(size=Count("memberships"))
            .order_by("-size", "name")[:8]
        )
    recent = list(
        leads.filter(web_form__isnull=False)
        .select_related("web_form", "owner")
        .order_by("-created_at")[:8]
    )
    return dashboard.Panel(
        _("Leads and segments"),
        "sales/home/_marketing.html",
        {"sources": sources, "segments": segments, "recent": recent},
        order=20,
        wide=True,
        url=reverse("sales:lead_list"),
        key="marketing",
    )
