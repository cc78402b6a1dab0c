"""bench/bench_inbox.py's loader and measurement on a small inbox (so it cannot rot)."""

import importlib.util
from pathlib import Path

import pytest


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_inbox.py"
    spec = importlib.util.spec_from_file_location("bench_inbox", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_bench_inbox_smoke(personas):
    bench = _bench()
    info = bench.load(300)
    assert info == {"conversations": 300, "messages": 300 * bench.MESSAGES_PER}
    result = bench.measure(seconds=0.5, rounds=1)
    assert set(result) >= {
        "raw query (baseline)",
        "page: all active (admin)",
        "page: 1,000 rows deep",
    }
    assert all(c["median_ms"] > 0 for c in result.values())
