"""The duplicate-scan benchmark runs end to end on a small data set, with sane scores."""

import importlib.util
from pathlib import Path

import pytest


@pytest.mark.django_db
def test_bench_dedupe_smoke():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_dedupe.py"
    spec = importlib.util.spec_from_file_location("bench_dedupe", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.run(2000, quiet=True)
    assert results["truth"] == 100
    assert results["relasi"]["f1"] >= 0.95
    assert results["relasi"]["precision"] >= 0.99
    assert results["comparisons"] < 2000 * 1999 // 2 // 100
    assert "baseline" in results
