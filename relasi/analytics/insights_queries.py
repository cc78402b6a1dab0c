"""What the customer-analytics pages and API read. Unfiltered, unrestricted views read the
tables built at refresh time (ins_*); a filter (period, store, channel, team) or a user who may
see only some customers recomputes from the facts in DuckDB — cached per mart generation and
scope, so a page is computed once per refresh."""

from typing import Any

from django.core.cache import cache

from relasi.analytics import basket, cohorts, mart, pareto, rfm
from relasi.analytics.insights_scope import Scope, visible_customers

TTL = 3600


def customer_url(key: int, kind: str | None) -> str:
    from django.urls import reverse

    name = "customers:organization_detail" if kind == "organization" else "customers:person_detail"
    return reverse(name, args=[key])


def _with_urls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r["url"] = customer_url(r["customer_key"], r.pop("kind", None))
    return rows


def cached(name: str, scope: Scope, fn: Any, *extra: Any) -> Any:
    import hashlib

    tail = hashlib.sha1(repr(extra).encode(), usedforsecurity=False).hexdigest()[:12]
    key = f"insights:{mart.generation()}:{name}:{scope.key()}:{tail}"
    hit = cache.get(key)
    if hit is None:
        hit = fn()
        cache.set(key, hit, TTL)
    return hit


def _has(con: Any, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()[0]
    )


def _customer_filter(scope: Scope, column: str = "customer_key") -> tuple[str, list[Any]]:
    """Visibility plus the team filter, for customer-level tables (the customer's team)."""
    cond, params = visible_customers(scope, column)
    if scope.team:
        cond += f" AND {column} IN (SELECT customer_key FROM dim_customer WHERE team_key = ?)"  # noqa: S608
        params = [*params, scope.team]
    return cond, params


def meta() -> dict[str, str]:
    try:
        with mart.reader() as con:
            if not _has(con, "ins_meta"):
                return {}
            return dict(con.execute("SELECT key, value FROM ins_meta").fetchall())
    except mart.MartMissing:
        return {}


# --- RFM ------------------------------------------------------------------------------------------
def segments(scope: Scope) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with mart.reader() as con:
            fact_filters = scope.start or scope.store or scope.channel or scope.as_of
            if not fact_filters and _has(con, "ins_rfm"):
                cond, params = _customer_filter(scope)
                source = f"(SELECT * FROM ins_rfm WHERE {cond})"  # noqa: S608
                summary = rfm.segment_summary(con, source, params)
            else:
                sql, params = rfm.scores_sql(scope)
                summary = rfm.segment_summary(con, f"({sql})", params)
            if scope.is_default() and _has(con, "ins_rfm_monthly"):
                monthly = con.execute(
                    "SELECT month, segment, customers, monetary FROM ins_rfm_monthly ORDER BY 1"
                ).fetchall()
            else:
                monthly = rfm.monthly_snapshots(con, scope, months=12)
        months = sorted({r[0] for r in monthly})
        series: dict[str, dict[str, list]] = {k: {"customers": [0] * len(months), "value": [0.0] * len(months)}
                  for k, *_r in rfm.SEGMENTS}  # fmt: skip
        index = {m: i for i, m in enumerate(months)}
        for month, seg, n, value in monthly:
            if seg in series:
                series[seg]["customers"][index[month]] = n
                series[seg]["value"][index[month]] = float(value or 0)
        return {"summary": summary, "months": months, "series": series}

    return cached("segments", scope, run)


def segment_members(scope: Scope, segment: str, limit: int = 200) -> list[dict[str, Any]]:
    with mart.reader() as con:
        if not _has(con, "ins_rfm"):
            return []
        cond, params = _customer_filter(scope, "r.customer_key")
        cur = con.execute(
            "SELECT r.customer_key, d.name, d.kind, r.recency_days, r.frequency, r.monetary, r.r, r.f, "  # noqa: S608
            "r.m FROM ins_rfm r LEFT JOIN dim_customer d USING (customer_key) "
            f"WHERE r.segment = ? AND {cond} ORDER BY r.monetary DESC, r.customer_key LIMIT ?",
            [segment, *params, limit],
        )
        names = [d[0] for d in cur.description]
        return _with_urls([dict(zip(names, row, strict=True)) for row in cur.fetchall()])


def lifecycle_contradictions(scope: Scope) -> int:
    """Customers in scope whose recorded lifecycle stage their orders contradict."""

    def run() -> int:
        from relasi.analytics import lifecycle

        with mart.reader() as con:
            cond, params = _customer_filter(scope, "a.customer_key")
            return lifecycle.contradiction_count(con, scope.end, cond, params)

    return cached("lifecycle", scope, run)  # type: ignore[no-any-return]


# --- CLV ------------------------------------------------------------------------------------------
HORIZONS = (6, 12, 24, 36)


def _rescored(con: Any, months: int) -> str:
    """ins_clv re-valued over another horizon from the stored fit (a temp table)."""
    import numpy as np

    from relasi.analytics import clv
    from relasi.analytics.models_insights import ModelKind, ModelRun

    run = ModelRun.objects.filter(kind=ModelKind.CLV, ok=True).first()
    if run is None or months == 12:
        return "ins_clv"
    raw = con.execute(
        "SELECT customer_key, x, t_x, T, exp_spend, margin_ratio, p_alive FROM ins_clv"
    ).fetchnumpy()
    d = {k: np.asarray(v) for k, v in raw.items()}
    bg, model = run.params["bgnbd"], run.params.get("model", clv.BGNBD)
    weeks = months * 52.1775 / 12
    rescored = {  # noqa: F841 - read by DuckDB's replacement scan
        "customer_key": d["customer_key"],
        "clv": clv.clv(bg, d["x"], d["t_x"], d["T"], d["exp_spend"], d["margin_ratio"],
                       months=months, model=model),
        "p_alive": d["p_alive"],
        "exp_purchases": clv.expected_purchases(bg, weeks, d["x"], d["t_x"], d["T"], model),
        "exp_spend": d["exp_spend"],
        "x": d["x"],
    }  # fmt: skip
    con.execute("CREATE OR REPLACE TEMP TABLE _clv_h AS SELECT * FROM rescored")
    return "_clv_h"


def clv_distribution(scope: Scope, bins: int = 20, months: int = 12) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with mart.reader() as con:
            if not _has(con, "ins_clv"):
                return {}
            table = _rescored(con, months)
            cond, params = _customer_filter(scope, "c.customer_key")
            stats = con.execute(
                "SELECT count(*), sum(clv), avg(clv), quantile_cont(clv, 0.5), "  # noqa: S608
                "quantile_cont(clv, 0.95), avg(p_alive), sum(exp_purchases) "
                f"FROM {table} c WHERE {cond}",
                params,
            ).fetchone()
            n, total, mean, median, p95, alive, purchases = stats
            hist: list[tuple] = []
            if n:
                top = max(p95 or 0, 1.0)
                hist = con.execute(
                    f"SELECT least(floor(clv / ?), ?) AS b, count(*) FROM {table} c "  # noqa: S608
                    f"WHERE {cond} GROUP BY b ORDER BY b",
                    [top / bins, bins, *params],
                ).fetchall()
                width = top / bins
            cur = con.execute(
                "SELECT c.customer_key, d.name, d.kind, c.clv, c.p_alive, c.exp_purchases, c.exp_spend, "  # noqa: S608
                f"c.x FROM {table} c LEFT JOIN dim_customer d USING (customer_key) "
                f"WHERE {cond} ORDER BY c.clv DESC, c.customer_key LIMIT 25",
                params,
            )
            cols = [d[0] for d in cur.description]
            top_rows = _with_urls([dict(zip(cols, r, strict=True)) for r in cur.fetchall()])
        counts = [0] * (bins + 1)
        for b, c in hist:
            counts[int(b)] = c
        labels = (
            [f"{i * width:,.0f}" for i in range(bins)] + [f"≥ {bins * width:,.0f}"] if n else []
        )
        return {"n": n, "total": total, "mean": mean, "median": median, "p95": p95,
                "p_alive": alive, "purchases": purchases, "hist": {"labels": labels,
                "counts": counts if n else []}, "top": top_rows}  # fmt: skip

    return cached("clv", scope, run, months)


def clv_backtest(scope: Scope, calibration_end: Any, weeks: int) -> dict[str, Any]:
    """Both purchase models fitted as of `calibration_end` and checked on the next `weeks`
    weeks (insights.holdout_check), cached per mart generation like every page figure."""

    def run() -> dict[str, Any]:
        from relasi.analytics import insights

        with mart.reader() as con:
            return insights.holdout_check(con, scope, calibration_end, weeks)

    return cached("clv_backtest", scope, run, calibration_end, weeks)  # type: ignore[no-any-return]


# --- churn ----------------------------------------------------------------------------------------
CHURN_COLUMNS = ["customer_key", "name", "owner_key", "owner", "risk", "reasons",
                 "recency_days", "frequency", "monetary", "tickets_365", "complaints_365",
                 "csat_gap", "orders_90", "orders_365", "tenure_days", "campaign_responses",
                 "loyalty_activity"]  # fmt: skip


def churn_rows(scope: Scope, *, min_risk: float = 0.0, limit: int | None = 200) -> list[dict]:
    with mart.reader() as con:
        if not _has(con, "ins_churn"):
            return []
        cond, params = _customer_filter(scope, "ch.customer_key")
        cols = ", ".join(f"ch.{c}" for c in CHURN_COLUMNS[4:])
        sql = (
            f"SELECT ch.customer_key, d.name, d.kind, d.owner_key, o.name AS owner, {cols} "  # noqa: S608
            "FROM ins_churn ch LEFT JOIN dim_customer d USING (customer_key) "
            "LEFT JOIN dim_owner o ON o.owner_key = d.owner_key "
            f"WHERE ch.risk >= ? AND {cond} ORDER BY ch.risk DESC, ch.customer_key"
        )
        args: list[Any] = [min_risk, *params]
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        cur = con.execute(sql, args)
        names = [d[0] for d in cur.description]
        return _with_urls([dict(zip(names, row, strict=True)) for row in cur.fetchall()])


def churn_bands(scope: Scope) -> list[tuple[str, int]]:
    with mart.reader() as con:
        if not _has(con, "ins_churn"):
            return []
        cond, params = _customer_filter(scope, "customer_key")
        return con.execute(
            "SELECT CASE WHEN risk >= 0.7 THEN 'high' WHEN risk >= 0.4 THEN 'medium' "  # noqa: S608
            f"ELSE 'low' END AS band, count(*) FROM ins_churn WHERE {cond} GROUP BY 1",
            params,
        ).fetchall()


# --- cohorts, Pareto, basket ----------------------------------------------------------------------
def cohort_table(scope: Scope) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with mart.reader() as con:
            return cohorts.table(cohorts.matrix(con, scope))

    return cached("cohorts", scope, run)


def pareto_data(scope: Scope, rates: dict[str, float]) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with mart.reader() as con:
            out = pareto.analyse(con, scope, rates)
            keys = [r["customer_key"] for r in out.get("top", []) + out.get("bottom", [])]
            names = {k: (n, kind) for k, n, kind in con.execute(
                "SELECT customer_key, name, kind FROM dim_customer WHERE customer_key IN "
                "(SELECT unnest(?::BIGINT[]))", [keys]).fetchall()}  # fmt: skip
        for r in out.get("top", []) + out.get("bottom", []):
            name, kind = names.get(r["customer_key"], (f"#{r['customer_key']}", None))
            r["name"], r["url"] = name, customer_url(r["customer_key"], kind)
        return out

    return cached("pareto", scope, run, sorted(rates.items()))


def rules(scope: Scope, *, limit: int = 200, product: int | None = None) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with mart.reader() as con:
            table, stats = "ins_basket_rules", None
            if not scope.is_default() or not _has(con, table):
                table = "_rules_scoped"
                stats = basket.mine(con, scope, table=table, temp=True)
            cond = "TRUE"
            args: list[Any] = []
            if product:
                cond = "(r.ante1 = ? OR r.ante2 = ? OR r.consequent = ?)"
                args = [product, product, product]
            rows = con.execute(
                "SELECT r.ante1, a.name, r.ante2, b.name, r.consequent, c.name, r.baskets, "  # noqa: S608
                f"r.support, r.confidence, r.lift FROM {table} r "
                "LEFT JOIN dim_product a ON a.product_key = r.ante1 "
                "LEFT JOIN dim_product b ON b.product_key = r.ante2 "
                "LEFT JOIN dim_product c ON c.product_key = r.consequent "
                f"WHERE r.lift > 1 AND {cond} ORDER BY r.lift * r.confidence DESC LIMIT ?",
                [*args, limit],
            ).fetchall()
            if stats is None:
                total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                stats = {"rules": total}
        out = [
            {
                "ante": [k for k in (r[0], r[2]) if k is not None],
                "ante_names": [
                    n or f"#{k}" for k, n in ((r[0], r[1]), (r[2], r[3])) if k is not None
                ],
                "consequent": r[4],
                "consequent_name": r[5] or f"#{r[4]}",
                "baskets": r[6],
                "support": r[7],
                "confidence": r[8],
                "lift": r[9],
            }
            for r in rows
        ]
        return {"rules": out, "stats": stats}

    return cached("rules", scope, run, limit, product)


def filter_choices() -> dict[str, Any]:
    """Stores, channels and teams for the filter bar (from the mart's dimensions)."""
    try:
        with mart.reader() as con:
            stores = con.execute("SELECT store_key, name FROM dim_store ORDER BY name").fetchall()
            channels = con.execute("SELECT channel, label FROM dim_channel ORDER BY 1").fetchall()
            teams = con.execute(
                "SELECT DISTINCT team_key, team FROM dim_owner WHERE team_key IS NOT NULL "
                "ORDER BY 2"
            ).fetchall()
    except mart.MartMissing:
        return {"stores": [], "channels": [], "teams": []}
    return {"stores": stores, "channels": channels, "teams": teams}
