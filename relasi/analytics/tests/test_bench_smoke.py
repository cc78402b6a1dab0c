"""A small run of bench/bench_mart.py (2,000 customers, 20,000 lines) so the benchmark code
keeps working on both databases; the real numbers come from the full run (docs/analytics.md).
Timings are only sanity-checked here: at this size fixed costs dominate every ratio."""

import pytest

pytestmark = pytest.mark.django_db


def test_bench_mart_smoke(personas):
    from bench import bench_mart

    gen = bench_mart.generate(2000, 20_000)
    assert gen["customers_loaded"] == 2000 and 19_000 < gen["lines"] < 21_000
    res = bench_mart.measure(2000, repeats=1, hooks=False, pages=4)
    assert res["mart_rows"] == gen["lines"]
    assert res["incremental_rows"] >= 1900 and res["incremental_s"] < 10
    # only the new orders (and the overlap window's) are re-read, not the 20,000 old lines
    assert res["incremental_orders"] < 1000
    assert all(ratio < 5 or ours < 0.05 for _k, ours, _h, ratio in res["kpis"]), res["kpis"]
    assert res["dashboard_p95_ms"] < 300
    assert "Data mart benchmark" in bench_mart.report(gen, res, "sqlite")
