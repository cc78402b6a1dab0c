"""The KPI catalogue: one definition per KPI (key, label, formula text, unit, how it is computed
over the mart), shared by the dashboards, the API and the report builder.

Periods are half-open [start, end) of local dates. Filters (channel, store, owner, team,
customer segment) and the user's record visibility (by the order's owner) apply to every
order-based KPI. All SQL is built from constants; every value is a bound parameter.

Definitions (seed-002 §3; where the book gives no formula, ours is stated):

* A customer is **active at day t** if they bought (a non-cancelled order) in the
  `inactive_days` (default 180) days before t. **Lost** in a period = active at its start and
  not active at its end. **New** in a period = first purchase ever falls in the period.
* Retention rate = customers active at start who are still active at end / customers active at
  start × 100; churn rate = lost customers / customers active at start × 100. One population,
  so retention + churn = 100 % for every period and filter. (The textbook CRR, (E − N) / S,
  counted customers who came back after a lapse as "retained" and could show retention 64 %
  beside churn 59 %; those reactivated customers are reported as a part of the figure.)
* Service KPIs (CSAT, CES, NPS, FCR, response and resolution times) come from
  `relasi.service.kpis.service_kpis` with the viewer's record visibility, exactly as the
  service dashboard computes them.
* Repeat purchase rate = customers with 2+ orders in the period / customers with 1+ order × 100
  (the seed's example uses purchasers in the period as the denominator).
* Up-sell / cross-sell rate = orders by returning customers that contain a product category the
  customer never bought before / orders by returning customers × 100.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from relasi.analytics import mart
from relasi.core.choices import Visibility

INACTIVE_DAYS = int(getattr(settings, "RELASI_INACTIVE_DAYS", 180))
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # exclusive
    channel: str = ""
    store: int | None = None
    owner: int | None = None
    team: int | None = None
    segment: str = ""  # "type:b2b", "stage:customer", "tag:vip"
    inactive_days: int = INACTIVE_DAYS
    # Visibility (from the user): None = everything; else the scope
    scope: tuple[Any, ...] | None = None
    viewer: int | None = None  # the user whose visibility `scope` is (service KPIs need them)

    def previous(self) -> "Filters":
        length = self.end - self.start
        return replace(self, start=self.start - length, end=self.start)

    def key(self) -> str:
        fields = asdict(self)
        if self.scope is None:  # who is asking matters only with a visibility scope
            fields.pop("viewer")
        raw = json.dumps(fields, default=str, sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


def scope_for(user: Any) -> tuple[Any, ...] | None:
    """The record-visibility scope of `user` over facts (by the order's owner)."""
    scope = getattr(user, "visibility", Visibility.OWN)
    if scope == Visibility.ALL:
        return None
    if scope == Visibility.TEAM and user.team_id:
        return ("team", user.pk, user.team_id)
    if scope == Visibility.SUBORDINATES:
        return ("owners", tuple(sorted(user.subordinate_ids())))
    return ("own", user.pk)


def where(f: Filters, alias: str = "o", dated: bool = True) -> tuple[str, list[Any]]:
    """The WHERE predicate (over fact_order or fact_order_line alias) for `f`."""
    parts = [f"{alias}.is_sale"]
    params: list[Any] = []
    if dated:
        parts.append(f"{alias}.order_date >= ? AND {alias}.order_date < ?")
        params += [f.start, f.end]
    if f.channel:
        parts.append(f"{alias}.channel = ?")
        params.append(f.channel)
    if f.store:
        parts.append(f"{alias}.store_key = ?")
        params.append(f.store)
    if f.owner:
        parts.append(f"{alias}.owner_key = ?")
        params.append(f.owner)
    if f.team:
        parts.append(f"{alias}.team_key = ?")
        params.append(f.team)
    if f.segment and ":" in f.segment:
        kind, value = f.segment.split(":", 1)
        column = {"type": "customer_type", "stage": "lifecycle_stage", "kind": "kind"}.get(kind)
        if column:
            parts.append(
                f"{alias}.customer_key IN (SELECT customer_key FROM dim_customer WHERE {column} = ?)"  # noqa: S608
            )
            params.append(value)
        elif kind == "tag":
            parts.append(
                f"{alias}.customer_key IN (SELECT customer_key FROM dim_customer "  # noqa: S608
                "WHERE contains(tags, ?))"
            )
            params.append(f"|{value}|")
    if f.scope is not None:
        sql, p = scope_sql(f.scope, alias)
        parts.append(sql)
        params += p
    return " AND ".join(parts), params


def scope_sql(scope: tuple[Any, ...], alias: str) -> tuple[str, list[Any]]:
    kind = scope[0]
    if kind == "team":
        return (
            f"({alias}.owner_key = ? OR {alias}.team_key = ? OR {alias}.owner_key IN "  # noqa: S608
            "(SELECT owner_key FROM dim_owner WHERE team_key = ?))",
            [scope[1], scope[2], scope[2]],
        )
    if kind == "owners":
        ids = list(scope[1]) or [-1]
        return f"{alias}.owner_key IN (SELECT unnest(?::BIGINT[]))", [ids]
    return f"{alias}.owner_key = ?", [scope[1]]


def _one(sql: str, params: list[Any]) -> Any:
    rows = mart.query(sql, params)
    return rows[0] if rows else None


def _ratio(num: Any, den: Any, scale: float = 1.0) -> float | None:
    if not den:
        return None
    return round(float(num or 0) * scale / float(den), 4)


# --- building blocks --------------------------------------------------------------------------
def _memo(block: str, f: Filters, fn: Callable[[Filters], Any]) -> Any:
    """A building block several KPIs share (totals feed five cards, the customer flow two),
    cached per snapshot like the KPIs: a cold dashboard computes each once, not per card."""
    key = f"kpi:{mart.generation()}:{block}:{f.key()}"
    hit = cache.get(key)
    if hit is None:
        hit = fn(f)
        cache.set(key, hit, CACHE_SECONDS)
    return hit


def totals(f: Filters) -> dict[str, Any]:
    return _memo("totals", f, _totals)  # type: ignore[no-any-return]


def _totals(f: Filters) -> dict[str, Any]:
    w, p = where(f)
    row = _one(
        "SELECT count(*), COALESCE(sum(net_amount), 0), count(DISTINCT customer_key), "  # noqa: S608
        "count(customer_key), COALESCE(sum(net_amount) FILTER (WHERE customer_key IS NOT NULL), 0), "
        f"COALESCE(sum(margin), 0) FROM fact_order o WHERE {w}",
        p,
    )
    orders, revenue, customers, identified, ident_revenue, margin = row
    return {"orders": orders, "revenue": float(revenue), "customers": customers,
            "identified_orders": identified, "identified_revenue": float(ident_revenue),
            "margin": float(margin)}  # fmt: skip


def _active_set(f: Filters, day: dt.date) -> tuple[str, list[Any]]:
    window = replace(f, start=day - dt.timedelta(days=f.inactive_days), end=day)
    w, p = where(window)
    return (
        f"SELECT DISTINCT customer_key FROM fact_order o WHERE customer_key IS NOT NULL AND {w}",  # noqa: S608
        p,
    )


def _first_purchases(f: Filters) -> tuple[str, list[Any]]:
    """customer_key, first purchase date (under the non-date filters)."""
    if not (f.channel or f.store or f.owner or f.team or f.segment or f.scope):
        return "SELECT customer_key, first_order_date AS first FROM agg_customer", []
    w, p = where(f, dated=False)
    return (
        "SELECT customer_key, min(order_date) AS first FROM fact_order o "  # noqa: S608
        f"WHERE customer_key IS NOT NULL AND {w} GROUP BY 1",
        p,
    )


def customer_flow(f: Filters) -> dict[str, int]:
    """Customers active at start and at end, new (and new still active at end), lost."""
    return _memo("flow", f, _customer_flow)  # type: ignore[no-any-return]


def _customer_flow(f: Filters) -> dict[str, int]:
    s_sql, s_p = _active_set(f, f.start)
    e_sql, e_p = _active_set(f, f.end)
    n_sql, n_p = _first_purchases(f)
    row = _one(
        f"WITH s AS ({s_sql}), e AS ({e_sql}), fp AS ({n_sql}), "  # noqa: S608
        "n AS (SELECT customer_key FROM fp WHERE first >= ? AND first < ?) "
        "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM e), (SELECT count(*) FROM n), "
        "(SELECT count(*) FROM e WHERE customer_key IN (SELECT customer_key FROM n)), "
        "(SELECT count(*) FROM s WHERE customer_key NOT IN (SELECT customer_key FROM e))",
        [*s_p, *e_p, *n_p, f.start, f.end],
    )
    start, end, new, new_active, lost = row
    return {"start": start, "end": end, "new": new, "new_active_end": new_active, "lost": lost,
            "retained": start - lost, "reactivated": end - new_active - (start - lost)}  # fmt: skip


def repeat(f: Filters) -> dict[str, int]:
    w, p = where(f)
    row = _one(
        "SELECT count(*), count(*) FILTER (WHERE n >= 2) FROM (SELECT customer_key, count(*) n "  # noqa: S608
        f"FROM fact_order o WHERE customer_key IS NOT NULL AND {w} GROUP BY 1)",
        p,
    )
    return {"buyers": row[0], "repeat": row[1]}


def cross_sell(f: Filters) -> dict[str, int]:
    w, p = where(f)
    row = _one(
        "WITH cf AS (SELECT customer_key, category_key, min(order_date) AS d FROM fact_order_line "  # noqa: S608
        "WHERE is_sale AND customer_key IS NOT NULL AND category_key IS NOT NULL GROUP BY 1, 2), "
        "ret AS (SELECT o.order_id, o.customer_key, o.order_date FROM fact_order o "
        "JOIN agg_customer a USING (customer_key) "
        f"WHERE a.first_order_date < o.order_date AND {w}), "
        "hit AS (SELECT DISTINCT l.order_id FROM fact_order_line l JOIN ret USING (order_id) "
        "JOIN cf ON cf.customer_key = l.customer_key AND cf.category_key = l.category_key "
        "AND cf.d = l.order_date) "
        "SELECT (SELECT count(*) FROM ret), (SELECT count(*) FROM hit)",
        p,
    )
    return {"returning_orders": row[0], "new_category_orders": row[1]}


def cost(f: Filters) -> float:
    """Marketing + sales cost spread evenly over each entry's days, for the days in [start,
    end); an entry with a channel counts only when filtering that channel (or no channel)."""
    from relasi.analytics.models import CostEntry

    qs = CostEntry.objects.filter(period_start__lt=f.end, period_end__gte=f.start)
    if f.channel:
        qs = qs.filter(channel__in=["", f.channel])
    total = 0.0
    for e in qs:
        days = (e.period_end - e.period_start).days + 1
        lo, hi = max(e.period_start, f.start), min(e.period_end + dt.timedelta(days=1), f.end)
        total += float(e.amount) * max(0, (hi - lo).days) / days
    return round(total, 2)


def leads(f: Filters) -> dict[str, int] | None:
    """Leads created in the period and how many of them are converted (sales app)."""
    try:
        from relasi.sales.models import Lead
    except ImportError:  # pragma: no cover
        return None
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    lo = dt.datetime.combine(f.start, dt.time(0), tzinfo=zone)
    hi = dt.datetime.combine(f.end, dt.time(0), tzinfo=zone)
    qs = Lead.objects.filter(created_at__gte=lo, created_at__lt=hi)
    if f.owner:
        qs = qs.filter(owner_id=f.owner)
    if f.team:
        qs = qs.filter(team_id=f.team)
    if f.scope is not None:
        kind = f.scope[0]
        if kind == "own":
            qs = qs.filter(owner_id=f.scope[1])
        elif kind == "team":
            from django.db.models import Q

            qs = qs.filter(
                Q(owner_id=f.scope[1]) | Q(team_id=f.scope[2]) | Q(owner__team_id=f.scope[2])
            )
        else:
            qs = qs.filter(owner_id__in=list(f.scope[1]))
    return {"leads": qs.count(), "converted": qs.filter(converted_at__isnull=False).count()}


def service(f: Filters) -> dict[str, Any] | None:
    try:
        from relasi.service.kpis import service_kpis
    except ImportError:  # the service app is optional
        return None
    key = f"kpi:svc-all:{f.key()}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    kwargs: dict[str, Any] = {}
    if f.team:
        kwargs["team"] = f.team
    if f.scope is not None:
        # the same visibility as the service dashboard gives this user (one figure per KPI)
        from django.contrib.auth import get_user_model

        kwargs["user"] = get_user_model().objects.filter(pk=f.viewer).first()
        if kwargs["user"] is None:
            return None
    try:
        result = service_kpis(f.start, f.end - dt.timedelta(days=1), **kwargs)
    except Exception:  # an unmigrated or changing service app must not break analytics
        return None
    cache.set(key, result, 300)
    return result


# --- the catalogue ----------------------------------------------------------------------------
@dataclass
class KPI:
    key: str
    label: Any
    formula: Any
    unit: str  # percent, money, number, minutes, score
    compute: Callable[[Filters], dict[str, Any]]
    group: str = "sales"
    better: str = "up"
    service: bool = field(default=False)


def _value(v: Any, **parts: Any) -> dict[str, Any]:
    return {"value": v, "parts": parts}


def _retention(f: Filters) -> dict[str, Any]:
    c = customer_flow(f)
    return _value(_ratio(c["retained"], c["start"], 100), **c)


def _churn(f: Filters) -> dict[str, Any]:
    c = customer_flow(f)
    return _value(_ratio(c["lost"], c["start"], 100), **c)


def _repeat(f: Filters) -> dict[str, Any]:
    r = repeat(f)
    return _value(_ratio(r["repeat"], r["buyers"], 100), **r)


def _aov(f: Filters) -> dict[str, Any]:
    t = totals(f)
    return _value(_ratio(t["revenue"], t["orders"]), revenue=t["revenue"], orders=t["orders"])


def _frequency(f: Filters) -> dict[str, Any]:
    t = totals(f)
    return _value(_ratio(t["identified_orders"], t["customers"]), orders=t["identified_orders"],
                  customers=t["customers"])  # fmt: skip


def _rpc(f: Filters) -> dict[str, Any]:
    t = totals(f)
    return _value(_ratio(t["identified_revenue"], t["customers"]), revenue=t["identified_revenue"],
                  customers=t["customers"])  # fmt: skip


def _revenue(f: Filters) -> dict[str, Any]:
    t = totals(f)
    return _value(t["revenue"], orders=t["orders"])


def _orders(f: Filters) -> dict[str, Any]:
    return _value(totals(f)["orders"])


def _margin(f: Filters) -> dict[str, Any]:
    t = totals(f)
    return _value(_ratio(t["margin"], t["revenue"], 100), margin=t["margin"], revenue=t["revenue"])


def _cac(f: Filters) -> dict[str, Any]:
    c = customer_flow(f)
    spent = cost(f)
    return _value(_ratio(spent, c["new"]) if spent else None, cost=spent, new=c["new"])


def _growth(f: Filters) -> dict[str, Any]:
    now, before = totals(f)["revenue"], totals(f.previous())["revenue"]
    value = _ratio(now - before, before, 100)
    return _value(value, revenue=now, previous=before)


def _cross(f: Filters) -> dict[str, Any]:
    c = cross_sell(f)
    return _value(_ratio(c["new_category_orders"], c["returning_orders"], 100), **c)


def _leads(f: Filters) -> dict[str, Any]:
    d = leads(f)
    if d is None:
        return _value(None)
    return _value(_ratio(d["converted"], d["leads"], 100), **d)


def _svc(path: tuple[str, ...]) -> Callable[[Filters], dict[str, Any]]:
    def compute(f: Filters) -> dict[str, Any]:
        data: Any = service(f)
        for part in path:
            data = data.get(part) if isinstance(data, dict) else None
        return _value(data)

    return compute


def _customers(f: Filters) -> dict[str, Any]:
    return _value(totals(f)["customers"])


KPIS: dict[str, KPI] = {
    k.key: k
    for k in [
        KPI("revenue", _("Revenue"), _("Sum of order totals (cancelled orders excluded)"), "money", _revenue),
        KPI("orders", _("Orders"), _("Number of orders (cancelled orders excluded)"), "number", _orders),
        KPI("customers", _("Buying customers"), _("Distinct identified customers who bought in the period"), "number", _customers),
        KPI("aov", _("Average order value"), _("Revenue / number of orders"), "money", _aov),
        KPI("purchase_frequency", _("Purchase frequency"), _("Orders by identified customers / customers who bought"), "number", _frequency),
        KPI("revenue_per_customer", _("Revenue per customer"), _("Revenue of identified customers / customers who bought"), "money", _rpc),
        KPI("margin_rate", _("Gross margin"), _("(Revenue − cost of goods) / revenue × 100 (orders with known cost)"), "percent", _margin),
        KPI("sales_growth", _("Sales growth"), _("(Revenue of the period − revenue of the previous period of the same length) / revenue of the previous period × 100"), "percent", _growth),
        KPI("retention_rate", _("Customer retention rate"), _("Customers active at start still active at end / customers active at start × 100 (= 100 − churn rate); active = bought in the last N days"), "percent", _retention, group="retention"),
        KPI("churn_rate", _("Churn rate"), _("Lost customers / customers active at start × 100; lost = active at start, no purchase in the N days before the end"), "percent", _churn, group="retention", better="down"),
        KPI("repeat_purchase_rate", _("Repeat purchase rate"), _("Customers with 2+ orders in the period / customers with 1+ order in the period × 100"), "percent", _repeat, group="retention"),
        KPI("cross_sell_rate", _("Up-sell / cross-sell rate"), _("Orders by returning customers containing a category they never bought before / orders by returning customers × 100"), "percent", _cross, group="retention"),
        KPI("cac", _("Customer acquisition cost"), _("(Marketing + sales cost of the period) / new customers in the period"), "money", _cac, group="retention", better="down"),
        KPI("lead_conversion_rate", _("Lead conversion rate"), _("Leads created in the period that were converted / leads created in the period × 100"), "percent", _leads),
        KPI("csat", _("CSAT"), _("Answers of 4 or 5 / all CSAT answers × 100 (1–5 scale)"), "percent", _svc(("csat", "percent")), group="service", service=True),
        KPI("ces", _("CES"), _("Mean of the CES answers (1–7, 7 = very easy)"), "score", _svc(("ces", "mean")), group="service", service=True),
        KPI("nps", _("NPS"), _("% promoters (9–10) − % detractors (0–6)"), "score", _svc(("nps", "score")), group="service", service=True),
        KPI("fcr", _("First-contact resolution"), _("Tickets resolved at the first contact / tickets resolved × 100"), "percent", _svc(("fcr", "percent")), group="service", service=True),
        KPI("response_time", _("Average first response"), _("Mean business minutes from opening to the first reply"), "minutes", _svc(("first_response_minutes",)), group="service", service=True, better="down"),
        KPI("resolution_time", _("Average resolution time"), _("Mean business minutes from opening to resolution"), "minutes", _svc(("resolution_minutes",)), group="service", service=True, better="down"),
    ]
}  # fmt: skip


def compute(key: str, f: Filters) -> dict[str, Any]:
    """The KPI's value and the parts of its formula, cached per mart snapshot."""
    kpi = KPIS[key]
    gen = mart.generation()
    cache_key = f"kpi:{gen}:{key}:{f.key()}"
    if kpi.service:  # operational data, not the mart: a short cache
        cache_key = f"kpi:svc:{key}:{f.key()}"
    hit = cache.get(cache_key)
    if hit is not None:
        return hit
    try:
        result = kpi.compute(f)
    except mart.MartMissing:
        result = _value(None)
    cache.set(cache_key, result, CACHE_SECONDS if not kpi.service else 300)
    return result


def value(key: str, f: Filters) -> Any:
    return compute(key, f)["value"]


def series(key: str, f: Filters, grain: str = "month") -> list[tuple[dt.date, Any]]:
    """The KPI per month (or week) of [start, end)."""
    out = []
    for lo, hi in buckets(f.start, f.end, grain):
        out.append((lo, value(key, replace(f, start=lo, end=hi))))
    return out


def buckets(start: dt.date, end: dt.date, grain: str) -> list[tuple[dt.date, dt.date]]:
    out = []
    lo = start.replace(day=1) if grain == "month" else start - dt.timedelta(days=start.weekday())
    while lo < end:
        if grain == "month":
            hi = (lo.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            hi = lo + dt.timedelta(days=7)
        out.append((max(lo, start), min(hi, end)))
        lo = hi
    return out
