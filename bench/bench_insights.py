"""Customer models at scale (issue 8), with baselines measured in the same run:

    .venv/bin/python bench/bench_insights.py                      # 1,000,000 customers, ~10M lines
    .venv/bin/python bench/bench_insights.py --customers 20000    # a quick run

Data: customers simulated from the BG/NBD process with the published CDNOW parameters
(r = 0.243, α = 4.414, a = 0.793, b = 2.426 per week) over five years, spend from Gamma-Gamma
(p = 6.25, q = 3.74, γ = 15.44, ×10,000 rupiah), 1–5 lines per order from 500 products with
bundles — written straight into a DuckDB mart table (no Django).

| what | Relasi | baseline | target |
|---|---|---|---|
| RFM scores + segments | rfm.materialise (the production SQL, into a table) | a plain DuckDB query over the same table | ≤ 1.5× time, identical rows, peak RSS ≤ baseline |
| BG/NBD + Gamma-Gamma fit | clv.fit_bgnbd + clv.fit_gamma_gamma | lifetimes 0.11 (BetaGeoFitter + GammaGammaFitter, in a throwaway venv) | ≥ 3× faster, same parameters to 3 decimals |
| cohort matrix | cohorts.matrix | a plain DuckDB query | ≤ 2× |
| association rules | basket.mine over 1,000,000 baskets | — | < 60 s |

Each timed step runs in its own child process (fresh memory) twice, alternating with its
baseline; the best time counts; peak memory is the child's max RSS minus its RSS before the step.
`LIFETIMES_PYTHON` names the interpreter with lifetimes installed (default /tmp/ltvenv/bin/python;
create it with `python -m venv /tmp/ltvenv && /tmp/ltvenv/bin/pip install "setuptools<81"
"autograd>=1.9" lifetimes`); without it the fit is compared with scipy's Nelder-Mead on the same
likelihood.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
END = dt.date(2025, 12, 31)
DAYS = 5 * 365


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relasi.settings")
    import django

    django.setup()


# --- data -----------------------------------------------------------------------------------------
def generate(path: Path, customers: int, seed: int = 1) -> dict:
    import duckdb
    import numpy as np

    from relasi.analytics import clv, mart

    rng = np.random.default_rng(seed)
    start = rng.integers(0, DAYS - 7, customers)  # first purchase day
    T = (DAYS - start) / 7.0
    x, t_x, _T = clv.simulate_bgnbd(clv.BGNBD_CDNOW, customers, T, seed=seed + 1)
    # purchase days: first, x − 1 in between, last at t_x (the likelihood only sees x, t_x, T)
    x = x.astype(np.int64)
    t_days = np.floor(t_x * 7).astype(np.int64)
    x = np.where(t_days == 0, 0, np.minimum(x, np.maximum(t_days, 0)))  # distinct days
    n_orders = x + 1
    total = int(n_orders.sum())
    cust = np.repeat(np.arange(1, customers + 1), n_orders)
    first = np.repeat(start, n_orders)
    pos = np.arange(total) - np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
    last_off = np.repeat(t_days, n_orders)
    k = np.repeat(x, n_orders)
    mid = rng.random(total) * last_off
    off = np.where(pos == 0, 0, np.where(pos == k, last_off, np.floor(mid))).astype(np.int64)
    day = first + off
    nu = rng.gamma(clv.GG_CDNOW["q"], 1 / clv.GG_CDNOW["gamma"], customers)
    amount = rng.gamma(clv.GG_CDNOW["p"], 1 / np.repeat(nu, n_orders)) * 10_000
    lines = rng.integers(1, 6, total)  # 1–5 lines, ~10 lines per customer at CDNOW rates
    epoch = (END - dt.timedelta(days=DAYS - 1)).toordinal()
    orders = {"order_id": np.arange(1, total + 1), "customer_key": cust,  # noqa: F841 (scanned by DuckDB)
              "day": day + epoch, "amount": amount.round(0), "lines": lines}  # fmt: skip
    con = duckdb.connect(str(path))
    for stmt in mart.ddl():
        con.execute(stmt)
    con.execute(
        "INSERT INTO fact_order (order_id, order_date, customer_key, store_key, channel, "
        "status, is_sale, net_amount, margin) SELECT order_id, "
        "DATE '0001-01-01' + (day - 1)::INTEGER, customer_key, 1 + order_id % 6, "
        "CASE order_id % 3 WHEN 0 THEN 'store' WHEN 1 THEN 'web' ELSE 'marketplace' END, "
        "'completed', TRUE, amount, round(amount * 0.3) FROM orders"
    )
    # Lines: the first product skewed, the others its bundle companions (so rules exist).
    con.execute(
        """
INSERT INTO fact_order_line (line_id, order_id, order_date, customer_key, product_key,
  store_key, channel, status, is_sale, quantity, net_amount)
SELECT row_number() OVER (), o.order_id, o.order_date, o.customer_key,
  CASE WHEN g.i = 1 THEN a.p ELSE (a.p + 7 * g.i + (hash(o.order_id, g.i) % 3)) % 500 END,
  o.store_key, o.channel, 'completed', TRUE, 1, o.net_amount / x.lines
FROM fact_order o JOIN orders x ON x.order_id = o.order_id
CROSS JOIN LATERAL (SELECT floor(500 * pow((hash(o.order_id) % 1000000) / 1e6, 2))::BIGINT AS p) a
CROSS JOIN LATERAL generate_series(1, x.lines) g(i)"""
    )
    con.execute("CHECKPOINT")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("fact_order", "fact_order_line")}  # fmt: skip
    con.close()
    return {"customers": customers, **counts}


# --- children -------------------------------------------------------------------------------------
def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


BASELINE_RFM = """
CREATE OR REPLACE TABLE base_rfm AS
WITH b AS (SELECT customer_key, max(order_date) AS last_date, count(*) AS frequency,
                  sum(net_amount) AS monetary
           FROM fact_order WHERE is_sale AND customer_key IS NOT NULL AND order_date <= DATE '{end}'
           GROUP BY customer_key),
s AS (SELECT customer_key, date_diff('day', last_date, DATE '{end}') AS recency_days, frequency,
             monetary, last_date,
             CAST(1 + (5 * (rank() OVER (ORDER BY last_date) - 1)) // count(*) OVER () AS TINYINT) AS r,
             CAST(1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS TINYINT) AS f,
             CAST(1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS TINYINT) AS m
      FROM b)
SELECT *, {case} AS segment FROM s"""

BASELINE_COHORTS = """
SELECT f.cohort, date_diff('month', f.cohort, cm.month) AS age, count(*) AS active, s.size
FROM (SELECT DISTINCT customer_key, date_trunc('month', order_date)::DATE AS month FROM fact_order
      WHERE is_sale AND customer_key IS NOT NULL AND order_date <= DATE '{end}') cm
JOIN (SELECT customer_key, date_trunc('month', min(order_date))::DATE AS cohort FROM fact_order
      WHERE is_sale AND customer_key IS NOT NULL AND order_date <= DATE '{end}' GROUP BY 1) f
  USING (customer_key)
JOIN (SELECT cohort, count(*) AS size FROM (SELECT customer_key, date_trunc('month', min(order_date))::DATE AS cohort
      FROM fact_order WHERE is_sale AND customer_key IS NOT NULL AND order_date <= DATE '{end}' GROUP BY 1) GROUP BY 1) s
  ON s.cohort = f.cohort
GROUP BY f.cohort, age, s.size ORDER BY f.cohort, age"""


def child(args: argparse.Namespace) -> None:
    import duckdb

    _django()
    from relasi.analytics import basket, cohorts, rfm
    from relasi.analytics.insights_scope import Scope

    con = duckdb.connect(args.db, config={"threads": 2})
    scope = Scope(as_of=END)
    con.execute("SELECT count(*) FROM fact_order").fetchone()
    base = rss_mb()
    out: dict = {}
    t = time.perf_counter()
    if args.step == "rfm":
        out["rows"] = rfm.materialise(con, scope)
    elif args.step == "rfm_base":
        con.execute(BASELINE_RFM.format(end=END, case=rfm.SEGMENT_CASE))
        out["rows"] = con.execute("SELECT count(*) FROM base_rfm").fetchone()[0]
    elif args.step == "cohorts":
        out["rows"] = len(cohorts.matrix(con, scope))
    elif args.step == "cohorts_base":
        out["rows"] = len(con.execute(BASELINE_COHORTS.format(end=END)).fetchall())
    elif args.step == "basket":
        first = con.execute(
            "SELECT min(order_date) FROM (SELECT order_date FROM fact_order ORDER BY order_date DESC "
            "LIMIT ?)",
            [args.baskets],
        ).fetchone()[0]
        out.update(basket.mine(con, scope.with_(start=first), min_support=0.001))
    elif args.step == "build":
        # The whole post-refresh hook (every ins_* table) without the Django bookkeeping.
        from types import SimpleNamespace

        from relasi.analytics import insights

        insights._log_run = lambda *a, **k: SimpleNamespace(ok=True, params={}, quality={})
        insights.latest_churn_model = lambda: None
        insights.csat_rows = lambda: []
        trained = {}
        real_train = insights.train_churn

        def train(con, scope, **kw):  # keep the fitted model for scoring
            from relasi.analytics import churn

            result = churn.train(con, scope, kw.get("horizon", 90))
            trained.update(result)
            return SimpleNamespace(ok=result["model"] is not None, params=result["model"] or {})

        insights.train_churn = train
        out["timings"] = insights.build(con, {}, as_of=END)
        out["churn_auc"] = trained.get("metrics", {}).get("auc")
        insights.train_churn = real_train
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base
    print(json.dumps(out, default=str))


def run_child(db: str, step: str, **extra: object) -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--db", db]
    for k, v in extra.items():
        cmd += [f"--{k}", str(v)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


LIFETIMES_CHILD = """
import json, sys, time, numpy as np
from lifetimes import BetaGeoFitter, GammaGammaFitter
d = np.load(sys.argv[1])
x, t_x, T, m = d["x"], d["t_x"], d["T"], d["m"]
t0 = time.perf_counter()
bg = BetaGeoFitter(penalizer_coef=0.0).fit(x, t_x, T)
t1 = time.perf_counter()
k = x > 0
gg = GammaGammaFitter(penalizer_coef=0.0).fit(x[k], m[k])
t2 = time.perf_counter()
print(json.dumps({"bg": {n: float(bg.params_[n]) for n in ("r", "alpha", "a", "b")},
                  "gg": {"p": float(gg.params_["p"]), "q": float(gg.params_["q"]),
                         "gamma": float(gg.params_["v"])},
                  "bg_s": t1 - t0, "gg_s": t2 - t1}))
"""


def bench_fit(db: str, tmp: Path) -> dict:
    import duckdb
    import numpy as np

    _django()
    from relasi.analytics import clv, insights
    from relasi.analytics.insights_scope import Scope

    con = duckdb.connect(db, read_only=True)
    t = time.perf_counter()
    data = insights.clv_inputs(con, Scope(as_of=END))
    extract_s = time.perf_counter() - t
    x, t_x, T, m = data["x"], data["t_x"], data["T"], data["m"]
    mine = []
    for _ in range(2):
        t = time.perf_counter()
        bg = clv.fit_bgnbd(x, t_x, T)
        t1 = time.perf_counter()
        gg = clv.fit_gamma_gamma(x, m)
        mine.append((time.perf_counter() - t, t1 - t, bg, gg))
    best = min(mine, key=lambda r: r[0])
    out = {"customers": len(x), "extract_s": extract_s, "mine_s": best[0], "mine_bg_s": best[1],
           "bg": best[2].params, "gg": best[3].params, "rows": best[2].rows}  # fmt: skip
    npz = tmp / "clv.npz"
    np.savez(npz, x=x, t_x=t_x, T=T, m=m)
    py = os.environ.get("LIFETIMES_PYTHON", "/tmp/ltvenv/bin/python")
    if Path(py).exists():
        script = tmp / "lt.py"
        script.write_text(LIFETIMES_CHILD)
        # the baseline gets the same single-threaded BLAS as Relasi's fit (fair on 2 busy cores)
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        res = subprocess.run([py, str(script), str(npz)], capture_output=True, text=True,
                             check=True, env=env)  # fmt: skip
        lt = json.loads(res.stdout.strip().splitlines()[-1])
        out.update(baseline="lifetimes 0.11.3", base_s=lt["bg_s"] + lt["gg_s"],
                   base_bg=lt["bg"], base_gg=lt["gg"])  # fmt: skip
    else:
        from scipy.optimize import minimize

        t = time.perf_counter()
        res = minimize(lambda th: -clv.bgnbd_loglik(np.exp(th), x, t_x, T).sum(),
                       np.zeros(4), method="Nelder-Mead", options={"maxiter": 4000})  # fmt: skip
        out.update(baseline="scipy Nelder-Mead (lifetimes missing)", base_s=time.perf_counter() - t,
                   base_bg=dict(zip(("r", "alpha", "a", "b"), np.exp(res.x).tolist(), strict=True)),
                   base_gg=best[3].params)  # fmt: skip
    out["same_3dp"] = all(
        round(out["bg"][k], 3) == round(out["base_bg"][k], 3) for k in out["bg"]
    ) and all(round(out["gg"][k], 3) == round(out["base_gg"][k], 3) for k in ("p", "q"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--baskets", type=int, default=1_000_000)
    ap.add_argument("--hook", action="store_true", help="Also time the whole post-refresh build.")
    ap.add_argument("--child")
    ap.add_argument("--step")
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.child:
        args.step = args.child
        child(args)
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    db = str(tmp / "mart.duckdb")
    _django()
    t = time.perf_counter()
    sizes = generate(Path(db), args.customers)
    print(f"data: {sizes['customers']:,} customers, {sizes['fact_order']:,} orders, "
          f"{sizes['fact_order_line']:,} order lines ({time.perf_counter() - t:.1f} s to generate)")  # fmt: skip
    rows = []
    # RFM (alternating, best of two) + identical results
    r_mine, r_base = [], []
    for _ in range(2):
        r_base.append(run_child(db, "rfm_base"))
        r_mine.append(run_child(db, "rfm"))
    import duckdb

    con = duckdb.connect(db, read_only=True)
    diff = con.execute(
        "SELECT (SELECT count(*) FROM (SELECT customer_key, recency_days, frequency, monetary, r, f, m, "
        "segment FROM ins_rfm EXCEPT SELECT customer_key, recency_days, frequency, monetary, r, f, m, "
        "segment FROM base_rfm)) + (SELECT count(*) FROM (SELECT customer_key, recency_days, frequency, "
        "monetary, r, f, m, segment FROM base_rfm EXCEPT SELECT customer_key, recency_days, frequency, "
        "monetary, r, f, m, segment FROM ins_rfm))"
    ).fetchone()[0]
    segs = con.execute(
        "SELECT segment, count(*) FROM ins_rfm GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    con.close()
    assert diff == 0, f"RFM differs from the baseline in {diff} rows"
    bm, bb = min(r["seconds"] for r in r_mine), min(r["seconds"] for r in r_base)
    pm, pb = max(r["peak_mb"] for r in r_mine), max(r["peak_mb"] for r in r_base)
    rows.append(("RFM scores + segments", bm, bb, bm / bb, "≤ 1.5×", bm / bb <= 1.5,
                 f"identical ({r_mine[0]['rows']:,} customers); peak RSS {pm:.0f} MB vs {pb:.0f} MB"))  # fmt: skip
    # cohorts
    c_mine, c_base = [], []
    for _ in range(2):
        c_base.append(run_child(db, "cohorts_base"))
        c_mine.append(run_child(db, "cohorts"))
    assert c_mine[0]["rows"] == c_base[0]["rows"]
    cm, cb = min(r["seconds"] for r in c_mine), min(r["seconds"] for r in c_base)
    rows.append(
        ("cohort matrix", cm, cb, cm / cb, "≤ 2×", cm / cb <= 2, f"{c_mine[0]['rows']:,} cells")
    )
    # fit
    fit = bench_fit(db, tmp)
    ratio = fit["base_s"] / fit["mine_s"]
    rows.append(("BG/NBD + Gamma-Gamma fit", fit["mine_s"], fit["base_s"], fit["mine_s"] / fit["base_s"],
                 "≥ 3× faster", ratio >= 3 and fit["same_3dp"],
                 f"{ratio:.1f}× faster than {fit['baseline']}; same to 3 dp: {fit['same_3dp']}"))  # fmt: skip
    # basket
    b = run_child(db, "basket", baskets=args.baskets)
    rows.append(("association rules", b["seconds"], None, None, "< 60 s", b["seconds"] < 60,
                 f"{b['baskets']:,} baskets, {b['items']} items, {b['pairs']:,} pairs, "
                 f"{b['triples']:,} triples, {b['rules']:,} rules"))  # fmt: skip
    print()
    print("| step | Relasi (s) | baseline (s) | ratio | target | ok | notes |")
    print("|---|---|---|---|---|---|---|")
    for name, mine, base, ratio_, target, ok, note in rows:
        base_s = f"{base:.3f}" if base is not None else "—"
        ratio_s = f"{ratio_:.2f}" if ratio_ is not None else "—"
        print(
            f"| {name} | {mine:.3f} | {base_s} | {ratio_s} | {target} | {'yes' if ok else 'NO'} | {note} |"
        )
    print()
    print("CLV parameters (Relasi vs baseline):")
    print("  BG/NBD", {k: round(v, 4) for k, v in fit["bg"].items()}, "vs",
          {k: round(v, 4) for k, v in fit["base_bg"].items()})  # fmt: skip
    print("  Gamma-Gamma", {k: round(v, 4) for k, v in fit["gg"].items()}, "vs",
          {k: round(v, 4) for k, v in fit["base_gg"].items()})  # fmt: skip
    print(f"  data extraction from the mart: {fit['extract_s']:.2f} s; {fit['rows']:,} distinct "
          f"(x, t_x, T) rows of {fit['customers']:,} customers")  # fmt: skip
    print("RFM segments:", ", ".join(f"{s} {n:,}" for s, n in segs))
    if args.hook:
        h = run_child(db, "build")
        print(f"whole post-refresh build (RFM + 24 monthly snapshots + CLV fit/hold-out/scores + "
              f"churn train/score + rules): {h['seconds']:.1f} s {h['timings']}; "
              f"churn hold-out AUC {h['churn_auc']}")  # fmt: skip
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
