"""bench/bench_webhooks.py's loader and measurement on a few events (so it cannot rot)."""

import importlib.util
from pathlib import Path

import pytest

from relasi.webhooks.tests.receivers import Receiver


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_webhooks.py"
    spec = importlib.util.spec_from_file_location("bench_webhooks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_bench_webhooks_smoke(settings):
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = True
    bench = _bench()
    with Receiver("") as rx:
        info = bench.load(30, rx.url)
        from relasi.webhooks.models import WebhookEndpoint

        rx.secret = WebhookEndpoint.objects.get().get_secret()
        result = bench.measure(rx.url, info["bodies"])
    assert result["delivered"] == 30 and rx.bad_signatures == 0
    assert len(rx.accepted) == 2 * 30 and result["ratio"] > 0
