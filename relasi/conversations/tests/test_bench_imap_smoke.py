"""bench/bench_imap_sync.py runs end to end on 50 messages against the loopback Dovecot (so the
benchmark cannot rot): every message stored once, replies threaded, the ratio measured."""

import importlib.util
from pathlib import Path

import pytest


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_imap_sync.py"
    spec = importlib.util.spec_from_file_location("bench_imap_sync", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_bench_imap_sync_smoke(dovecot):
    result = _bench().measure(dovecot, 50, people=30)
    assert result["stored"] == 50
    assert result["conversations"] < 50  # some replies threaded into their conversation
    assert result["plain_per_s"] > 0 and result["parse_per_s"] > 0 and result["ratio"] > 0
