"""A small run of bench/bench_mart.py (2,000 customers, 20,000 lines) so the benchmark code
keeps working; the real numbers come from the full run (docs/analytics.md)."""

import pytest

pytestmark = pytest.mark.django_db


def test_bench_mart_smoke(personas):
    from bench import bench_mart

    gen = bench_mart.generate(2000, 20_000)
    res = bench_mart.measure(2000, repeats=1)
    assert res["incremental_rows"] >= 2000 and res["incremental_s"] < 10
    assert res["mart_rows"] == gen["lines"]
    assert all(ratio < 5 for _k, _o, _h, ratio in res["kpis"]), res["kpis"]
    assert res["dashboard_p95_ms"] < 300
    assert "Data mart benchmark" in bench_mart.report(gen, res, "sqlite")
