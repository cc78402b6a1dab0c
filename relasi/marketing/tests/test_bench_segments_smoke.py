"""bench/bench_segments.py's loader and measurement on a small population (so the benchmark
cannot rot), and the compiled rules count what the hand-written SQL counts."""

import importlib.util
from pathlib import Path

import pytest


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_segments.py"
    spec = importlib.util.spec_from_file_location("bench_segments", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_bench_segments_smoke():
    bench = _bench()
    info = bench.load(2000)
    assert info["orders"] > 300
    results = bench.measure(info["products"], seconds=0.1, rounds=1)
    assert len(results) == 4
    for r in results:
        assert r["same"], r
        assert r["count"] > 0, r
