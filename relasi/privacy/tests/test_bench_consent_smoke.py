"""bench/bench_consent.py's loader and measurement run on a small population (so the benchmark
cannot rot), and the gate's answer is the plain query less the excluded people."""

import importlib.util
from pathlib import Path

import pytest


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_consent.py"
    spec = importlib.util.spec_from_file_location("bench_consent", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_bench_consent_smoke():
    bench = _bench()
    info = bench.load(1000)
    assert info["states"] > 500
    result = bench.measure(seconds=0.2, rounds=1)
    assert 0 < result["contactable"] < result["granted"]  # blacklist, suppression, caps bite
    assert result["ratio"] > 0
