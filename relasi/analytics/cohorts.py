"""Cohort retention: customers grouped by the month of their first purchase (within the store,
channel, team and visibility filters), and the share of each cohort that bought again in each
later month. Month 0 is 100 % by definition."""

from typing import Any

from relasi.analytics.insights_scope import Scope, orders_where


def matrix_sql(scope: Scope) -> tuple[str, list[Any]]:
    """(cohort month, months since first purchase, active customers, cohort size)."""
    where, params = orders_where(scope, "o", period=False)
    since = "WHERE cohort >= ?" if scope.start else ""
    sql = f"""
WITH cm AS (
  SELECT DISTINCT customer_key, date_trunc('month', order_date)::DATE AS month
  FROM fact_order o WHERE {where}
), firsts AS (
  SELECT customer_key, min(month) AS cohort FROM cm GROUP BY customer_key
), sized AS (
  SELECT cohort, count(*) AS size FROM firsts {since} GROUP BY cohort
)
SELECT f.cohort, date_diff('month', f.cohort, cm.month) AS age, count(*) AS active, s.size
FROM cm JOIN firsts f USING (customer_key) JOIN sized s ON s.cohort = f.cohort
GROUP BY f.cohort, age, s.size ORDER BY f.cohort, age"""  # noqa: S608
    if scope.start:
        params = [*params, scope.start.replace(day=1)]
    return sql, params


def matrix(con: Any, scope: Scope) -> list[tuple]:
    sql, params = matrix_sql(scope)
    return con.execute(sql, params).fetchall()


def shade(rate: float) -> str:
    """A background colour for a retention rate (server-side heat map, no script needed)."""
    # square root: retention after month 0 is mostly 5–40 %, which a linear scale leaves pale
    rate = max(0.0, min(1.0, rate)) ** 0.5
    # from white to Bootstrap primary (#0d6efd); the text turns white past the middle
    r, g, b = (round(255 + (c - 255) * rate) for c in (13, 110, 253))
    return f"#{r:02x}{g:02x}{b:02x}"


def table(rows: list[tuple], max_age: int = 24) -> dict[str, Any]:
    """Rows → a heat-map table: one line per cohort, rates by age with their shade."""
    cohorts: dict[Any, dict[str, Any]] = {}
    ages = 0
    for cohort, age, active, size in rows:
        if age > max_age:
            continue
        c = cohorts.setdefault(cohort, {"cohort": cohort, "size": size, "cells": {}})
        c["cells"][age] = active
        ages = max(ages, age)
    lines = []
    for c in cohorts.values():
        cells: list[dict[str, Any] | None] = []
        for age in range(ages + 1):
            active = c["cells"].get(age)
            if active is None:
                cells.append(None)
                continue
            rate = active / c["size"]
            cells.append({"rate": rate, "active": active, "bg": shade(rate), "dark": rate > 0.3})
        lines.append({"cohort": c["cohort"], "size": c["size"], "cells": cells})
    # The average retention curve, weighted by cohort size (the chart).
    curve = []
    for age in range(ages + 1):
        num = sum(c["cells"].get(age, 0) for c in cohorts.values())
        den = sum(c["size"] for c in cohorts.values() if age in c["cells"] or age == 0)
        curve.append(num / den if den else 0.0)
    return {"ages": list(range(ages + 1)), "lines": lines, "curve": curve}
