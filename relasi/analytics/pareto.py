"""Pareto profitability: how much of revenue and margin the top customers bring, with
activity-based costing so customers are ranked by profit, not only by revenue.

profit = margin − Σ (count of each costed activity × its cost rate)

The counts per customer in the period: calls (activities of kind call), visits (meetings and
appointments), service tickets, and campaign messages sent — from the mart's fact_activity,
fact_ticket and fact_campaign_event tables (empty when those apps have no data). Rates come
from `CostRate` (administrator-editable)."""

from typing import Any

from relasi.analytics.insights_scope import Scope, orders_where, visible_customers

COSTED = ("call", "visit", "ticket", "campaign_message")


def profit_sql(scope: Scope, rates: dict[str, float]) -> tuple[str, list[Any]]:
    """One row per customer: revenue, margin, the activity counts, cost and profit."""
    where, params = orders_where(scope, "o")
    vis, vis_params = visible_customers(scope, "customer_key")
    lo = scope.start or "1900-01-01"
    hi = scope.end
    sql = f"""
WITH rev AS (
  SELECT customer_key, sum(net_amount) AS revenue, sum(COALESCE(margin, 0)) AS margin,
         count(*) AS orders
  FROM fact_order o WHERE {where} GROUP BY customer_key
), act AS (
  SELECT customer_key,
         count(*) FILTER (WHERE kind = 'call') AS calls,
         count(*) FILTER (WHERE kind IN ('meeting', 'appointment')) AS visits
  FROM fact_activity
  WHERE customer_key IS NOT NULL AND status = 'done' AND activity_date BETWEEN ? AND ? AND {vis}
  GROUP BY customer_key
), tix AS (
  SELECT customer_key, count(*) AS tickets FROM fact_ticket
  WHERE customer_key IS NOT NULL AND opened_date BETWEEN ? AND ? AND {vis} GROUP BY customer_key
), msg AS (
  SELECT customer_key, count(*) AS messages FROM fact_campaign_event
  WHERE customer_key IS NOT NULL AND event_type = 'sent' AND event_date BETWEEN ? AND ? AND {vis}
  GROUP BY customer_key
), allc AS (
  SELECT customer_key FROM rev UNION SELECT customer_key FROM act
  UNION SELECT customer_key FROM tix UNION SELECT customer_key FROM msg
)
SELECT c.customer_key, COALESCE(rev.revenue, 0) AS revenue, COALESCE(rev.margin, 0) AS margin,
       COALESCE(rev.orders, 0) AS orders, COALESCE(act.calls, 0) AS calls,
       COALESCE(act.visits, 0) AS visits, COALESCE(tix.tickets, 0) AS tickets,
       COALESCE(msg.messages, 0) AS messages,
       COALESCE(act.calls, 0) * ? + COALESCE(act.visits, 0) * ?
         + COALESCE(tix.tickets, 0) * ? + COALESCE(msg.messages, 0) * ? AS cost
FROM allc c LEFT JOIN rev USING (customer_key) LEFT JOIN act USING (customer_key)
LEFT JOIN tix USING (customer_key) LEFT JOIN msg USING (customer_key)"""  # noqa: S608
    rate = [float(rates.get(k, 0) or 0) for k in COSTED]
    return sql, [*params, lo, hi, *vis_params, lo, hi, *vis_params, lo, hi, *vis_params, *rate]


def analyse(con: Any, scope: Scope, rates: dict[str, float], *, top: int = 50) -> dict[str, Any]:
    """Shares held by the top 20 % (by revenue and by profit), a 100-point curve, and the
    `top` most profitable and least profitable customers."""
    sql, params = profit_sql(scope, rates)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _pareto AS SELECT *, margin - cost AS profit FROM ({sql})",  # noqa: S608
        params,
    )
    n = con.execute("SELECT count(*) FROM _pareto WHERE revenue > 0 OR cost > 0").fetchone()[0]
    out: dict[str, Any] = {"customers": n}
    if not n:
        return {**out, "curve": [], "top": [], "bottom": [], "totals": {}}
    totals = con.execute(
        "SELECT sum(revenue), sum(margin), sum(cost), sum(margin - cost) FROM _pareto"
    ).fetchone()
    out["totals"] = dict(zip(("revenue", "margin", "cost", "profit"), totals, strict=True))
    k = max(1, round(n * 0.2))
    for by in ("revenue", "profit"):
        top_sum = con.execute(
            f"SELECT sum(revenue), sum(margin), sum(profit) FROM (SELECT * FROM _pareto "  # noqa: S608
            f"ORDER BY {by} DESC, customer_key LIMIT ?)",
            [k],
        ).fetchone()
        out[f"top20_by_{by}"] = {
            "revenue_share": (top_sum[0] or 0) / totals[0] if totals[0] else 0.0,
            "margin_share": (top_sum[1] or 0) / totals[1] if totals[1] else 0.0,
            "profit_share": (top_sum[2] or 0) / totals[3] if totals[3] else 0.0,
        }
    # Cumulative shares at each percentile of customers (ranked by revenue, and by profit).
    curve = con.execute(
        """
WITH r AS (
  SELECT revenue, profit,
         row_number() OVER (ORDER BY revenue DESC, customer_key) AS rn_rev,
         row_number() OVER (ORDER BY profit DESC, customer_key) AS rn_pro,
         count(*) OVER () AS n FROM _pareto
), c AS (
  SELECT ceil(100.0 * rn_rev / n) AS pct, sum(revenue) AS rev, 0.0 AS pro FROM r GROUP BY 1
  UNION ALL
  SELECT ceil(100.0 * rn_pro / n) AS pct, 0.0, sum(profit) FROM r GROUP BY 1
)
SELECT pct, sum(rev), sum(pro) FROM c GROUP BY pct ORDER BY pct"""
    ).fetchall()
    run_rev = run_pro = 0.0
    points = []
    for pct, rev, pro in curve:
        run_rev += rev or 0
        run_pro += pro or 0
        points.append({
            "pct": int(pct),
            "revenue": run_rev / totals[0] if totals[0] else 0.0,
            "profit": run_pro / totals[3] if totals[3] else 0.0,
        })  # fmt: skip
    out["curve"] = points
    cols = ["customer_key", "revenue", "margin", "orders", "calls", "visits", "tickets",
            "messages", "cost", "profit"]  # fmt: skip
    sel = ", ".join(cols)
    out["top"] = [
        dict(zip(cols, r, strict=True))
        for r in con.execute(
            f"SELECT {sel} FROM _pareto ORDER BY profit DESC, customer_key LIMIT ?",  # noqa: S608
            [top],
        ).fetchall()
    ]
    out["bottom"] = [
        dict(zip(cols, r, strict=True))
        for r in con.execute(
            f"SELECT {sel} FROM _pareto WHERE profit < 0 ORDER BY profit, customer_key LIMIT ?",  # noqa: S608
            [top],
        ).fetchall()
    ]
    con.execute("DROP TABLE IF EXISTS _pareto")
    return out
