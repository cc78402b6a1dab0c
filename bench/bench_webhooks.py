"""Webhooks delivered per second to a loopback receiver (issue #16).

    .venv/bin/python bench/bench_webhooks.py                    # 2,000 events, SQLite
    .venv/bin/python bench/bench_webhooks.py --events 5000 --backends sqlite,postgresql

Baseline: plain `urllib.request.urlopen` POSTs of the same bodies to the same receiver, one
after another. Relasi: `delivery.deliver_due()` — claim (one UPDATE with the order-per-record
check), sign, SSRF-guarded POST, the attempt log and the delivered mark, per event. The
events are spread over 100 records so the per-record ordering is exercised. Printed: events/s
of each and the ratio (Relasi's time / plain time).
"""

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load(n: int, url: str) -> dict[str, int]:
    """An endpoint for `url` and `n` pending deliveries (events on 100 records)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from relasi.customers.models import Customer
    from relasi.webhooks import delivery
    from relasi.webhooks.models import Delivery, Event, WebhookEndpoint, new_secret

    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = True
    endpoint = WebhookEndpoint(name="bench", url=url, event_types=["*"])
    endpoint.set_secret(new_secret())
    endpoint.save()
    ct = ContentType.objects.get_for_model(Customer)
    with transaction.atomic():
        events = Event.objects.bulk_create(
            [
                Event(
                    type="person.updated",
                    content_type=ct,
                    object_id=str(i % 100),
                    record_key=f"customers.customer:{i % 100}",
                    changed=["occupation"],
                    data={"id": i % 100, "name": f"Person {i % 100}", "occupation": f"job {i}"},
                )
                for i in range(n)
            ]
        )
        Delivery.objects.bulk_create(
            [Delivery(endpoint=endpoint, event=e, record_key=e.record_key) for e in events]
        )
    bodies = [delivery.body_of(e) for e in Event.objects.order_by("id")]
    return {"events": n, "bodies": bodies}  # type: ignore[dict-item]


def measure(url: str, bodies: list[bytes]) -> dict[str, float]:
    """Plain posts (signed once up front, so the receiver does the same work) against the
    delivery path; then the receiver holds each event twice."""
    from relasi.webhooks import delivery, signing
    from relasi.webhooks.choices import DeliveryStatus
    from relasi.webhooks.models import Delivery, WebhookEndpoint

    secret = WebhookEndpoint.objects.get().get_secret()
    signed = [(body, signing.headers(secret, json.loads(body)["id"], body)) for body in bodies]
    t0 = time.perf_counter()
    for body, head in signed:
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json", **head}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    while delivery.deliver_due(limit=10_000):
        pass
    relasi = time.perf_counter() - t0
    delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
    return {
        "delivered": delivered,
        "plain_per_s": round(len(bodies) / plain, 1),
        "relasi_per_s": round(delivered / relasi, 1) if relasi else 0.0,
        "ratio": round(relasi / plain, 2) if plain else 0.0,
    }


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from relasi.webhooks.tests.receivers import Receiver

    call_command("migrate", verbosity=0)
    with Receiver("", fail_rate=0.0) as rx:
        rx.secret = ""
        info = load(args.events, rx.url)
        from relasi.webhooks.models import WebhookEndpoint

        rx.secret = WebhookEndpoint.objects.get().get_secret()
        result = measure(rx.url, info.pop("bodies"))  # type: ignore[arg-type]
    print("RESULT " + json.dumps({"backend": connection.vendor, **info, **result}), flush=True)


def run(backend: str, events: int) -> dict:
    from bench.child import run_child

    return run_child(__file__, backend, ["--events", str(events)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for backend in args.backends.split(","):
        r = run(backend, args.events)
        print(
            f"{r['backend']:<10} {r['events']:>7,} events  plain urllib {r['plain_per_s']:>8.1f}/s  "
            f"Relasi webhooks {r['relasi_per_s']:>8.1f}/s  ratio {r['ratio']:.2f}x"
        )


if __name__ == "__main__":
    main()
