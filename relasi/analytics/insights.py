"""Customer models at refresh time: after every mart refresh (a post-refresh hook) the RFM
scores and monthly segment snapshots, the CLV fit and scores, churn risk and the association
rules are rebuilt inside the new snapshot, so pages and the 360° header only read tables:

    ins_rfm, ins_rfm_monthly, ins_clv, ins_churn, ins_basket_rules, ins_meta

Fits are logged as `ModelRun` rows (parameters and quality). The churn model is retrained by
`manage.py train_churn` (nightly); a refresh only re-scores with the latest model (and trains
the first one when there is none)."""

import datetime as dt
import logging
import time
from typing import Any

import numpy as np
from django.utils import timezone

from relasi.analytics import basket, churn, clv, rfm
from relasi.analytics.insights_scope import Scope, orders_where

log = logging.getLogger("relasi.analytics.insights")

CLV_MONTHS = 12
ANNUAL_DISCOUNT = 0.10
HOLDOUT_DAYS = 182
CLV_MODEL = clv.MBGNBD  # lets a one-time buyer drop out (BG/NBD keeps them alive forever)
CHURN_HORIZON = 90
WEEK = 7.0
CLV_DDL = (
    "CREATE OR REPLACE TABLE ins_clv (customer_key BIGINT, x DOUBLE, t_x DOUBLE, T DOUBLE, "
    "m DOUBLE, p_alive DOUBLE, exp_purchases DOUBLE, exp_spend DOUBLE, margin_ratio DOUBLE, "
    "clv DOUBLE)"
)


# --- CLV inputs -----------------------------------------------------------------------------------
def clv_inputs_sql(scope: Scope) -> tuple[str, list[Any]]:
    """Per customer: x (repeat purchase days), t_x and T in weeks, mean repeat spend, margin
    ratio and first purchase. A purchase day, not an order, is the BG/NBD transaction, as in
    the papers (several receipts on one day are one visit)."""
    where, params = orders_where(scope, "o")
    sql = f"""
WITH d AS (
  SELECT customer_key, order_date, sum(net_amount) AS amount, sum(margin) AS margin
  FROM fact_order o WHERE {where} GROUP BY customer_key, order_date
), c AS (
  SELECT customer_key, count(*) - 1 AS x, min(order_date) AS first_date,
         max(order_date) AS last_date, sum(amount) AS total, arg_min(amount, order_date) AS first_amount,
         sum(margin) AS margin
  FROM d GROUP BY customer_key
)
SELECT customer_key, x,
       date_diff('day', first_date, last_date) / {WEEK} AS t_x,
       date_diff('day', first_date, ?::DATE) / {WEEK} AS T,
       CASE WHEN x > 0 THEN (total - first_amount) / x ELSE 0 END AS m,
       CASE WHEN total > 0 AND margin IS NOT NULL THEN least(greatest(margin / total, 0), 1) END
         AS margin_ratio,
       total
FROM c ORDER BY customer_key"""  # noqa: S608
    return sql, [*params, scope.end]


def clv_inputs(con: Any, scope: Scope) -> dict[str, np.ndarray]:
    sql, params = clv_inputs_sql(scope)
    raw = con.execute(sql, params).fetchnumpy()
    return {k: np.asarray(v.filled(np.nan) if hasattr(v, "filled") else v, dtype=float)
            for k, v in raw.items()}  # fmt: skip


def fit_clv(con: Any, scope: Scope, *, model: str = CLV_MODEL) -> dict[str, Any]:
    """Fit on all data up to the scope's end, plus a calibration/hold-out check: refitted on
    data up to end − 26 weeks, predicting the repeat purchases of those 26 weeks."""
    data = clv_inputs(con, scope)
    out: dict[str, Any] = {"n": len(data["x"]), "model": model}
    if len(data["x"]) < 20 or data["x"].sum() == 0:
        return {**out, "ok": False, "reason": "too few customers with repeat purchases"}
    bg = clv.fit_purchases(model, data["x"], data["t_x"], data["T"])
    gg = clv.fit_gamma_gamma(data["x"], data["m"])
    out.update(ok=True, bg=bg, gg=gg, data=data)
    cal_end = scope.end - dt.timedelta(days=HOLDOUT_DAYS)
    check = holdout_check(con, scope, cal_end, HOLDOUT_DAYS // 7, models=(model,))
    if check.get("ok"):
        out["holdout"] = holdout_summary(check, model)
    return out


def holdout_check(con: Any, scope: Scope, calibration_end: dt.date, weeks: int,
                  models: tuple[str, ...] = clv.MODELS) -> dict[str, Any]:  # fmt: skip
    """Fit each purchase model as of `calibration_end` (customers who had bought by then, their
    purchases up to then) and compare each customer's predicted repeat purchases in the next
    `weeks` weeks with the purchase days they actually had — in total, by number of
    calibration repeat purchases (0 … 6+, the table of the BG/NBD paper) and week by week
    (cumulative). The hold-out ends at the scope's end at the latest (then it is shorter)."""
    holdout_end = min(calibration_end + dt.timedelta(weeks=weeks), scope.end)
    cal = clv_inputs(con, scope.with_(as_of=calibration_end))
    out: dict[str, Any] = {"calibration_end": calibration_end.isoformat(),
                           "holdout_end": holdout_end.isoformat(), "weeks_asked": weeks,
                           "customers": len(cal["x"]), "models": {}}  # fmt: skip
    days = (holdout_end - calibration_end).days
    if len(cal["x"]) < 20 or cal["x"].sum() == 0 or days <= 0:
        return {**out, "ok": False}
    where, params = orders_where(scope, "o")
    rows = con.execute(
        f"SELECT customer_key, date_diff('day', ?::DATE, order_date) FROM fact_order o WHERE {where} "  # noqa: S608
        "AND order_date > ? AND order_date <= ? GROUP BY customer_key, order_date",
        [calibration_end, *params, calibration_end, holdout_end],
    ).fetchall()
    index = {int(k): i for i, k in enumerate(cal["customer_key"].astype(np.int64))}
    act = np.zeros(len(index))
    act_week = np.zeros(days // 7 + 1)  # purchase days by hold-out week
    for key, day in rows:
        if (i := index.get(int(key))) is not None:  # customers new in the hold-out don't count
            act[i] += 1
            act_week[(int(day) - 1) // 7] += 1
    weeks_run = days / WEEK
    marks: list[float] = [float(w) for w in range(1, int(weeks_run) + 1)] or [weeks_run]
    out.update(ok=True, weeks=round(weeks_run, 1), actual_total=float(act.sum()),
               actual_cumulative=[float(v) for v in np.cumsum(act_week)[: len(marks)]],
               cumulative_weeks=marks)  # fmt: skip
    for model in models:
        fit = clv.fit_purchases(model, cal["x"], cal["t_x"], cal["T"])
        pred = clv.expected_purchases(fit.params, weeks_run, cal["x"], cal["t_x"], cal["T"], model)
        alive = clv.p_alive(fit.params, cal["x"], cal["t_x"], cal["T"], model)
        once = cal["x"] == 0
        bins = []
        for lo in range(7):
            sel = cal["x"] == lo if lo < 6 else cal["x"] >= 6
            if sel.any():
                bins.append({"x": f"{lo}+" if lo == 6 else str(lo), "customers": int(sel.sum()),
                             "predicted": float(pred[sel].mean()), "actual": float(act[sel].mean())})  # fmt: skip
        # identical customers collapsed: 26 weekly predictions stay cheap at a million rows
        (ux, ut, uT), w_rows = clv._collapse(cal["x"], cal["t_x"], cal["T"])
        cumulative = [float(w_rows @ clv.expected_purchases(fit.params, float(w), ux, ut, uT, model))
                      for w in marks]  # fmt: skip
        out["models"][model] = {
            "params": fit.params, "log_likelihood": fit.log_likelihood,
            "converged": fit.converged, "predicted_total": float(pred.sum()),
            "mae": float(np.abs(pred - act).mean()),
            "error_pct": float((pred.sum() - act.sum()) * 100 / act.sum()) if act.sum() else None,
            "p_alive_one_time": float(alive[once].mean()) if once.any() else None,
            "by_frequency": bins, "predicted_cumulative": cumulative,
        }  # fmt: skip
    return out


def holdout_summary(check: dict[str, Any], model: str) -> dict[str, Any]:
    """One model's hold-out figures in the shape ModelRun.quality["holdout"] stores."""
    m = check["models"][model]
    return {"model": model, "calibration_end": check["calibration_end"],
            "holdout_end": check["holdout_end"], "weeks": check["weeks"],
            "customers": check["customers"], "predicted_total": m["predicted_total"],
            "actual_total": check["actual_total"], "mae": m["mae"],
            "by_frequency": m["by_frequency"], "calibration_params": m["params"]}  # fmt: skip


def score_clv(con: Any, fitted: dict[str, Any], *, months: int = CLV_MONTHS) -> int:
    data, bg, gg = fitted["data"], fitted["bg"].params, fitted["gg"].params
    overall = np.nansum(data["margin_ratio"] * data["total"]) / max(np.nansum(data["total"]), 1)
    margin = np.where(np.isnan(data["margin_ratio"]), overall if overall > 0 else 1.0,
                      data["margin_ratio"])  # fmt: skip
    pop_mean = clv.gg_population_mean(gg)
    if not np.isfinite(pop_mean):
        pop_mean = float(np.mean(data["m"][data["x"] > 0])) if (data["x"] > 0).any() else 0.0
    spend = clv.expected_spend(gg, data["x"], data["m"], pop_mean)
    model = fitted.get("model", clv.BGNBD)
    alive = clv.p_alive(bg, data["x"], data["t_x"], data["T"], model)
    weeks = months * 52.1775 / 12
    purchases = clv.expected_purchases(bg, weeks, data["x"], data["t_x"], data["T"], model)
    value = clv.clv(bg, data["x"], data["t_x"], data["T"], spend, margin, months=months,
                    annual_discount=ANNUAL_DISCOUNT, model=model)  # fmt: skip
    con.execute(CLV_DDL)
    names = ["x", "t_x", "T", "m", "p_alive", "exp_purchases", "exp_spend", "margin_ratio", "clv"]
    arrays = (data["x"], data["t_x"], data["T"], data["m"], alive, purchases, spend, margin, value)
    # DuckDB scans this dict of NumPy arrays directly (a replacement scan): no Python row objects.
    clv_rows = {"customer_key": data["customer_key"].astype(np.int64)}
    clv_rows.update({n: np.nan_to_num(a) for n, a in zip(names, arrays, strict=True)})
    con.execute(f"INSERT INTO ins_clv SELECT customer_key, {', '.join(names)} FROM clv_rows")  # noqa: S608
    return len(clv_rows["customer_key"])


# --- the hook -------------------------------------------------------------------------------------
def _log_run(kind: str, as_of: dt.date, params: dict, quality: dict, seconds: float,
             trigger: str, ok: bool = True) -> Any:  # fmt: skip
    from relasi.analytics import mart
    from relasi.analytics.models_insights import ModelRun

    return ModelRun.objects.create(
        kind=kind, as_of=as_of, params=params, quality=quality, seconds=round(seconds, 3),
        trigger=trigger, ok=ok,
        # inside the post-refresh hook the snapshot being built is the next generation
        generation=(mart.generation() or 0) + (1 if trigger == "refresh" else 0),
    )  # fmt: skip


def csat_rows() -> list[tuple[int, dt.date, Any]]:
    """Answered satisfaction surveys, if the service app has them."""
    try:
        from relasi.service.models import Survey  # type: ignore[attr-defined]
    except Exception:
        return []
    try:
        qs = Survey.objects.filter(csat__isnull=False, responded_at__isnull=False)
        return [(c, timezone.localdate(at), s) for c, at, s in
                qs.values_list("customer_id", "responded_at", "csat").iterator()]  # fmt: skip
    except Exception:
        return []


def latest_churn_model() -> Any:
    from relasi.analytics.models_insights import ModelKind, ModelRun

    return (
        ModelRun.objects.filter(kind=ModelKind.CHURN, ok=True)
        .exclude(params={})
        .order_by("-fitted_at", "-id")
        .first()
    )


def train_churn(con: Any, scope: Scope, *, trigger: str = "manual",
                horizon: int = CHURN_HORIZON) -> Any:  # fmt: skip
    started = time.perf_counter()
    churn.load_csat(con, csat_rows())
    result = churn.train(con, scope, horizon)
    return _log_run("churn", scope.end, result["model"] or {}, result["metrics"],
                    time.perf_counter() - started, trigger, ok=result["model"] is not None)  # fmt: skip


def build(con: Any, changed: dict[str, Any] | None = None, *, as_of: dt.date | None = None,
          trigger: str = "refresh") -> dict[str, Any]:  # fmt: skip
    """Rebuild every ins_* table on `con` (read-write). Returns timings per model."""
    scope = Scope(as_of=as_of or timezone.localdate())
    timings: dict[str, Any] = {}
    t = time.perf_counter()
    timings["rfm_customers"] = rfm.materialise(con, scope)
    rfm.materialise_monthly(con, scope, months=24)
    timings["rfm_s"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    fitted = fit_clv(con, scope)
    if fitted.get("ok"):
        timings["clv_customers"] = score_clv(con, fitted)
        bg, gg = fitted["bg"], fitted["gg"]
        quality = {
            "bgnbd": {"log_likelihood": bg.log_likelihood, "converged": bg.converged,
                      "iterations": bg.iterations, "customers": bg.n, "rows": bg.rows},
            "gamma_gamma": {"log_likelihood": gg.log_likelihood, "converged": gg.converged,
                            "iterations": gg.iterations, "customers": gg.n},
            "holdout": fitted.get("holdout"),
            "months": CLV_MONTHS, "annual_discount": ANNUAL_DISCOUNT,
        }  # fmt: skip
        # "bgnbd" keeps its name for stored runs: it holds the purchase model's parameters,
        # "model" says which one (runs before MBG/NBD have no "model": BG/NBD).
        _log_run("clv", scope.end, {"model": fitted["model"], "bgnbd": bg.params,
                                    "gamma_gamma": gg.params}, quality,
                 time.perf_counter() - t, trigger)  # fmt: skip
    else:
        con.execute(CLV_DDL)
    timings["clv_s"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    run = latest_churn_model()
    if run is None:
        run = train_churn(con, scope, trigger=trigger)
    churn.load_csat(con, csat_rows())
    timings["churn_customers"] = churn.score(con, run.params if run and run.ok else {}, scope)
    timings["churn_s"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    stats = basket.mine(con, scope)
    _log_run("basket", scope.end, {"min_support": 0.001, "min_confidence": 0.05}, stats,
             time.perf_counter() - t, trigger)  # fmt: skip
    timings["basket_s"] = round(time.perf_counter() - t, 3)
    con.execute("CREATE OR REPLACE TABLE ins_meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO ins_meta VALUES ('as_of', ?), ('built_at', ?)",
                [scope.end.isoformat(), timezone.now().isoformat()])  # fmt: skip
    log.info("customer models rebuilt", extra={"event": "insights.built", **timings})
    return timings


def post_refresh(con: Any, changed: dict[str, Any]) -> None:
    """The mart hook: never let a model failure break the refresh."""
    try:
        build(con, changed)
    except Exception:
        log.exception("customer models failed", extra={"event": "insights.failed"})
        return
    try:
        from relasi.analytics import monitoring

        monitoring.evaluate(con)
    except Exception:
        log.exception("event rules failed", extra={"event": "insights.events_failed"})


def built() -> bool:
    """True when the current snapshot holds the customer-model tables."""
    from relasi.analytics import mart

    try:
        return bool(mart.query("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'ins_meta'")[0][0])  # fmt: skip
    except Exception:
        return False


def retrain_churn(*, horizon: int = CHURN_HORIZON, refresh: bool = True,
                  trigger: str = "command") -> dict[str, Any]:  # fmt: skip
    """Train on the current snapshot (read-only cursor: features use temp tables only), log the
    version, then refresh the mart so the new model scores every customer."""
    from relasi.analytics import mart

    with mart.reader() as con:
        run = train_churn(con, Scope(as_of=timezone.localdate()), trigger=trigger, horizon=horizon)
    if refresh and run.ok:
        mart.refresh(trigger="train_churn")
    return {"ok": run.ok, "metrics": run.quality, "run": run.pk}
