"""bench/bench_insights.py at a tiny size: the data generator, the RFM equality with the plain
DuckDB baseline and the production steps run (the timings themselves are the bench's job)."""

import datetime as dt

import duckdb
import pytest

from bench import bench_insights as b
from relasi.analytics import basket, clv, cohorts, insights, rfm
from relasi.analytics.insights_scope import Scope


@pytest.fixture
def bench_db(tmp_path):
    path = tmp_path / "mart.duckdb"
    sizes = b.generate(path, 3000)
    assert sizes["fact_order"] > 3000 and sizes["fact_order_line"] >= sizes["fact_order"]
    con = duckdb.connect(str(path))
    yield con
    con.close()


def test_bench_steps_small(bench_db):
    con = bench_db
    scope = Scope(as_of=b.END)
    n = rfm.materialise(con, scope)
    con.execute(b.BASELINE_RFM.format(end=b.END, case=rfm.SEGMENT_CASE))
    cols = "customer_key, recency_days, frequency, monetary, r, f, m, segment"
    diff = con.execute(
        f"SELECT count(*) FROM (SELECT {cols} FROM ins_rfm EXCEPT SELECT {cols} FROM base_rfm)"  # noqa: S608
    ).fetchone()[0]
    assert n == 3000 and diff == 0
    mine = cohorts.matrix(con, scope)
    base = con.execute(b.BASELINE_COHORTS.format(end=b.END)).fetchall()
    assert [tuple(r) for r in mine] == [tuple(r) for r in base]
    data = insights.clv_inputs(con, scope)
    fit = clv.fit_bgnbd(data["x"], data["t_x"], data["T"])
    assert fit.converged and 0.05 < fit.params["r"] < 1.0  # simulated from r = 0.243
    first = b.END - dt.timedelta(days=365)
    stats = basket.mine(con, scope.with_(start=first))
    assert stats["baskets"] > 0 and stats["rules"] > 0
