"""The privacy gate for a campaign (issue #12): "may I contact?" for every person at once.

    .venv/bin/python bench/bench_consent.py                     # 1,000,000 people, SQLite
    .venv/bin/python bench/bench_consent.py --rows 100000 --backends sqlite,postgresql

Baseline: the plain indexed query on the ledger's current-state table — the ids of everyone
whose marketing consent on e-mail is granted (`ConsentState` filtered on purpose, channel and
status, index-only). Relasi: `gate.filter_contactable("email", "marketing")`, which adds the address check, the
blacklist, the suppression list and the weekly cap in the same statement. Both fetch every id,
alternated in rounds so background load hits them alike. Target: ratio <= 2x.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))


def load(n: int) -> dict[str, int]:
    """n people; 70% with a marketing e-mail consent (90% of those granted), 1% blacklisted,
    1,000 suppressed addresses (1% of a smaller population), 10,000 messages sent this week (some people at the cap)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.bulkload import CHUNK, _insert, _rows
    from relasi.customers.models import Customer
    from relasi.privacy import consent
    from relasi.privacy.models import ConsentEvent, ConsentState, ContactLog, Suppression

    consent.ensure_defaults()
    marketing = consent.purpose_for("marketing").pk
    rng = random.Random(7)
    now = timezone.now()
    emails: list[str] = []
    batch: list[dict] = []
    states: list[dict] = []
    events: list[dict] = []
    event_id = 0

    def flush() -> None:
        with transaction.atomic():
            if batch:
                _insert(Customer, batch)
            if events:
                _insert(ConsentEvent, events)
                _insert(ConsentState, states)
        batch.clear()
        events.clear()
        states.clear()

    for customer, _email, _phone in _rows(n, 1):
        pk = customer["id"]
        if rng.random() < 0.01:
            customer.update(is_blacklisted=True, blacklist_reason="fake")
        batch.append(customer)
        emails.append(customer["primary_email"])
        if rng.random() < 0.7:
            event_id += 1
            status = "granted" if rng.random() < 0.9 else "withdrawn"
            events.append({"id": event_id, "customer_id": pk, "purpose_id": marketing,
                           "channel": "email", "status": status, "basis": "consent",
                           "source": "import", "occurred_at": now, "recorded_at": now,
                           "wording": "", "wording_version": "", "evidence": ""})  # fmt: skip
            states.append({"customer_id": pk, "purpose_id": marketing, "channel": "email",
                           "status": status, "event_id": event_id, "occurred_at": now})  # fmt: skip
        if len(batch) >= CHUNK:
            flush()
    flush()
    Suppression.objects.bulk_create(
        [
            Suppression(channel="email", address=a, reason="bounced")
            for a in rng.sample(emails, min(1000, len(emails) // 100))
        ]
    )
    week = [NOON - dt.timedelta(days=d, hours=h) for d in range(6) for h in range(3)]
    ContactLog.objects.bulk_create(
        [
            ContactLog(
                customer_id=rng.randint(1, n),
                purpose_id=marketing,
                channel="email",
                sent_at=rng.choice(week),
            )
            for _ in range(min(10_000, n))
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (the smoke test runs inside one); ANALYZE can.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return {"states": ConsentState.objects.count()}


def measure(seconds: float, rounds: int = 5) -> dict:
    from relasi.privacy import gate
    from relasi.privacy.models import ConsentState, Purpose

    marketing = Purpose.objects.get(key="marketing")

    def plain() -> int:
        return len(list(ConsentState.objects.filter(
            purpose=marketing, channel="email", status="granted"
        ).values_list("customer_id", flat=True)))  # fmt: skip

    def relasi() -> int:
        return len(list(gate.filter_contactable("email", "marketing", at=NOON)))

    counts = {"plain": plain(), "relasi": relasi()}
    lat: dict[str, list[float]] = {"plain": [], "relasi": []}
    for _ in range(rounds):
        for name, fn in (("plain", plain), ("relasi", relasi)):
            end = time.perf_counter() + seconds / rounds
            while True:
                t = time.perf_counter()
                fn()
                lat[name].append(time.perf_counter() - t)
                if time.perf_counter() > end:
                    break
    med = {k: statistics.median(v) for k, v in lat.items()}
    return {
        "granted": counts["plain"],
        "contactable": counts["relasi"],
        "plain_ms": round(med["plain"] * 1000, 1),
        "relasi_ms": round(med["relasi"] * 1000, 1),
        "ratio": round(med["relasi"] / med["plain"], 2),
    }


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    info = load(args.rows)
    result = {"backend": connection.vendor, "rows": args.rows,
              "load_s": round(time.perf_counter() - t0, 1), **info, **measure(args.seconds)}  # fmt: skip
    print("RESULT " + json.dumps(result), flush=True)


def run(backend: str, rows: int, seconds: float) -> dict:
    from bench.child import run_child

    return run_child(__file__, backend, ["--rows", str(rows), "--seconds", str(seconds)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for backend in args.backends.split(","):
        r = run(backend, args.rows, args.seconds)
        print(
            f"{r['backend']:<10} {r['rows']:>9,} people  granted {r['granted']:>9,}  "
            f"contactable {r['contactable']:>9,}  plain {r['plain_ms']:>8.1f} ms  "
            f"gate {r['relasi_ms']:>8.1f} ms  ratio {r['ratio']:.2f}x (target <= 2x)"
        )


if __name__ == "__main__":
    main()
