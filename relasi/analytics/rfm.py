"""RFM: recency, frequency and monetary value per customer, quintile scores and named segments.

* Recency = days from the last purchase to the end of the period; frequency = orders; monetary =
  revenue (order totals, cancelled orders excluded), all within the scope (period, store,
  channel, team, visibility).
* Scores 1–5 by quintile of the customer's position: score = 1 + ⌊5·(rank − 1) / n⌋ with
  `RANK()` (ties share the lowest position), ascending by last purchase date, by frequency and
  by monetary value. So equal values always get the same score, and a value shared by more than
  a fifth of the customers (typically "one order") fills the low quintiles and the next value
  starts higher — the score never splits identical customers at random as `NTILE` would.
* Segments: the common R × F grid (R across, F up). M ranks customers inside a segment.

  | F \\ R | 1 | 2 | 3 | 4 | 5 |
  |---|---|---|---|---|---|
  | 5 | can't lose | can't lose | loyal | loyal | champions |
  | 4 | at risk | at risk | loyal | loyal | champions |
  | 3 | at risk | at risk | need attention | potential loyalists | potential loyalists |
  | 2 | hibernating | hibernating | about to sleep | potential loyalists | potential loyalists |
  | 1 | lost | hibernating | about to sleep | promising | new |
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from relasi.analytics.insights_scope import Scope, orders_where

# key, label, colour, what it means / what to do
SEGMENTS: list[tuple[str, Any, str, Any]] = [
    ("champions", _("Champions"), "#198754", _("Bought recently, buy often. Reward them.")),
    ("loyal", _("Loyal"), "#20c997", _("Buy often. Upsell, ask for reviews.")),
    ("potential_loyalists", _("Potential loyalists"), "#0dcaf0",
     _("Recent, more than one order. Offer membership.")),
    ("new", _("New"), "#0d6efd", _("First order very recently. Onboard them.")),
    ("promising", _("Promising"), "#6f42c1", _("Recent first order. Build the relationship.")),
    ("need_attention", _("Need attention"), "#ffc107",
     _("Average recency and frequency. Limited-time offers.")),
    ("about_to_sleep", _("About to sleep"), "#fd7e14",
     _("Below-average recency, few orders. Reactivate.")),
    ("at_risk", _("At risk"), "#dc3545", _("Bought often, but long ago. Win them back.")),
    ("cant_lose", _("Can't lose"), "#b02a37",
     _("Used to be among the best, long ago. Call them.")),
    ("hibernating", _("Hibernating"), "#6c757d", _("Long ago, few orders.")),
    ("lost", _("Lost"), "#343a40", _("Lowest recency and frequency.")),
]  # fmt: skip
LABELS = {k: label for k, label, _c, _d in SEGMENTS}
COLOURS = {k: c for k, _l, c, _d in SEGMENTS}

SEGMENT_CASE = """CASE
  WHEN r <= 2 AND f = 5 THEN 'cant_lose'
  WHEN r <= 2 AND f >= 3 THEN 'at_risk'
  WHEN r = 1 AND f = 1 THEN 'lost'
  WHEN r <= 2 THEN 'hibernating'
  WHEN r = 3 AND f <= 2 THEN 'about_to_sleep'
  WHEN r = 3 AND f = 3 THEN 'need_attention'
  WHEN r <= 4 AND f >= 4 THEN 'loyal'
  WHEN f >= 4 THEN 'champions'
  WHEN f >= 2 THEN 'potential_loyalists'
  WHEN r = 4 THEN 'promising'
  ELSE 'new' END"""


def segment_of(r: int, f: int) -> str:
    """The grid in Python (tests, documentation)."""
    if r <= 2:
        if f == 5:
            return "cant_lose"
        if f >= 3:
            return "at_risk"
        return "lost" if r == 1 and f == 1 else "hibernating"
    if r == 3:
        return "about_to_sleep" if f <= 2 else "need_attention" if f == 3 else "loyal"
    if f >= 4:
        return "loyal" if r == 4 else "champions"
    if f >= 2:
        return "potential_loyalists"
    return "promising" if r == 4 else "new"


def scores_sql(scope: Scope) -> tuple[str, list[Any]]:
    """One row per customer: recency_days, frequency, monetary, r, f, m, segment."""
    where, params = orders_where(scope, "o")
    sql = f"""
WITH base AS (
  SELECT customer_key, max(order_date) AS last_date, count(*) AS frequency,
         sum(net_amount) AS monetary
  FROM fact_order o WHERE {where} GROUP BY customer_key
), ranked AS (
  SELECT *, count(*) OVER () AS n,
         rank() OVER (ORDER BY last_date) AS rr,
         rank() OVER (ORDER BY frequency) AS fr,
         rank() OVER (ORDER BY monetary) AS mr
  FROM base
), scored AS (
  SELECT customer_key, date_diff('day', last_date, ?::DATE) AS recency_days, frequency,
         monetary, last_date,
         CAST(1 + (5 * (rr - 1)) // n AS TINYINT) AS r,
         CAST(1 + (5 * (fr - 1)) // n AS TINYINT) AS f,
         CAST(1 + (5 * (mr - 1)) // n AS TINYINT) AS m
  FROM ranked
)
SELECT customer_key, recency_days, frequency, monetary, last_date, r, f, m,
       {SEGMENT_CASE} AS segment
FROM scored"""  # noqa: S608 - where is built from constants; values are parameters
    return sql, [*params, scope.end]


def materialise(con: Any, scope: Scope, table: str = "ins_rfm") -> int:
    sql, params = scores_sql(scope)
    # Sorted by customer, so a one-customer lookup (the 360° header) skips most row groups.
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql} ORDER BY customer_key", params)
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def segment_summary(con: Any, source: str, params: list[Any] | None = None) -> list[dict]:
    """Sizes and value per segment from `source` (a table name or a parenthesised query)."""
    rows = con.execute(
        f"SELECT segment, count(*), sum(monetary), avg(recency_days), avg(frequency) "  # noqa: S608
        f"FROM {source} GROUP BY segment",
        params or [],
    ).fetchall()
    total_n = sum(r[1] for r in rows) or 1
    total_v = sum(r[2] or 0 for r in rows) or 1
    by_key = {r[0]: r for r in rows}
    out = []
    for key, label, colour, hint in SEGMENTS:
        r = by_key.get(key)
        n, value = (r[1], r[2] or 0.0) if r else (0, 0.0)
        out.append({
            "key": key, "label": label, "colour": colour, "hint": hint, "customers": n,
            "share": n / total_n, "value": value, "value_share": value / total_v,
            "avg_recency": r[3] if r else None, "avg_frequency": r[4] if r else None,
        })  # fmt: skip
    return out


def month_ends(end: dt.date, months: int) -> list[dt.date]:
    out = []
    y, m = end.year, end.month
    for _i in range(months):
        first_next = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append(min(first_next - dt.timedelta(days=1), end))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return sorted(out)


def monthly_snapshots(con: Any, scope: Scope, months: int = 24) -> list[tuple]:
    """(month end, segment, customers, monetary) for the last `months` month ends: RFM as it
    stood at each month end. Computed from one per-customer-per-month aggregate."""
    where, params = orders_where(scope.with_(start=None), "o")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rfm_cm AS SELECT customer_key, "  # noqa: S608
        "date_trunc('month', order_date)::DATE AS month, max(order_date) AS last_date, "
        f"count(*) AS orders, sum(net_amount) AS revenue FROM fact_order o WHERE {where} "
        "GROUP BY ALL",
        params,
    )
    out: list[tuple] = []
    for end in month_ends(scope.end, months):
        sql = f"""
WITH base AS (
  SELECT customer_key, max(last_date) AS last_date, sum(orders) AS frequency,
         sum(revenue) AS monetary
  FROM _rfm_cm WHERE month <= ? GROUP BY customer_key
), ranked AS (
  SELECT *, count(*) OVER () AS n, rank() OVER (ORDER BY last_date) AS rr,
         rank() OVER (ORDER BY frequency) AS fr FROM base
), scored AS (
  SELECT monetary, 1 + (5 * (rr - 1)) // n AS r, 1 + (5 * (fr - 1)) // n AS f FROM ranked
)
SELECT {SEGMENT_CASE} AS segment, count(*), sum(monetary) FROM scored GROUP BY 1"""  # noqa: S608
        out += [(end, seg, n, v) for seg, n, v in con.execute(sql, [end]).fetchall()]
    con.execute("DROP TABLE IF EXISTS _rfm_cm")
    return out


def materialise_monthly(con: Any, scope: Scope, months: int = 24) -> None:
    rows = monthly_snapshots(con, scope, months)
    con.execute(
        "CREATE OR REPLACE TABLE ins_rfm_monthly (month DATE, segment VARCHAR, "
        "customers BIGINT, monetary DOUBLE)"
    )
    if rows:
        con.execute(
            "INSERT INTO ins_rfm_monthly SELECT * FROM (SELECT unnest(?::DATE[]), "
            "unnest(?::VARCHAR[]), unnest(?::BIGINT[]), unnest(?::DOUBLE[]))",
            [
                [r[0] for r in rows],
                [r[1] for r in rows],
                [r[2] for r in rows],
                [float(r[3] or 0) for r in rows],
            ],
        )
