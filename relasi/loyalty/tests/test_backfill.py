"""The back-fill earns what sync_order would, once; and bench/bench_loyalty_backfill.py's
loader and measurement run on a small population (so the benchmark stays in step)."""

import importlib.util
from pathlib import Path

import pytest

from relasi.loyalty import backfill, ledger
from relasi.loyalty.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_loyalty_backfill.py"
    spec = importlib.util.spec_from_file_location("bench_loyalty_backfill", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backfill_matches_sync_and_is_idempotent():
    from relasi.loyalty import actions

    bench = _bench()
    programme = bench.load(60, 10)
    stats = backfill.backfill(programme)
    assert stats["entries"] == 60
    assert ledger.verify() == []
    # the arithmetic agrees with the one-order path
    for entry in LedgerEntry.objects.select_related("member__customer", "order")[:10]:
        assert actions.order_quote(entry.member, entry.order).points == entry.points
    assert backfill.backfill(programme)["entries"] == 0
    assert LedgerEntry.objects.count() == 60


def test_bench_smoke():
    bench = _bench()
    result = bench.measure(bench.load(40, 8))
    assert result["entries"] == 40 and result["ratio"] > 0
