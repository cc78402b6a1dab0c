"""Segment counts (issue #14): typical rules over 1,000,000 people, Relasi's compiled queryset
against the hand-written SQL for the same rule.

    .venv/bin/python bench/bench_segments.py                      # 1,000,000 people, SQLite
    .venv/bin/python bench/bench_segments.py --rows 100000 --backends sqlite,postgresql

Data: n people (province/city from the demo places, a quarter of them prospects), 30 % with 1-3
orders over two years (one line each, one of 20 products), model scores for 60 %, a marketing
e-mail consent for 70 %. Rules: stage + province; spend in the last year; RFM segment AND
consent; "bought A not B" in 180 days. Each count is timed alternately with its baseline (the
median of rounds). Target: every count under 1 s.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load(n: int) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.bulkload import CHUNK, _insert, _rows
    from relasi.commerce.models import Order, OrderLine
    from relasi.customers.models import Customer
    from relasi.marketing import scores
    from relasi.privacy import consent
    from relasi.privacy.models import ConsentEvent, ConsentState
    from relasi.sales.models import Product

    consent.ensure_defaults()
    marketing = consent.purpose_for("marketing").pk
    products = [
        Product.objects.create(sku=f"BENCH{i:02d}", name=f"Produk {i}", unit_price=Decimal(50000))
        for i in range(20)
    ]
    rng = random.Random(11)
    now = timezone.now()
    today = timezone.localdate()
    segments = ["champions", "loyal", "at_risk", "cant_lose", "hibernating", "lost", "new"]
    tables: dict[type, list[dict]] = {
        m: [] for m in (Customer, Order, OrderLine, ConsentEvent, ConsentState)
    }
    ids = {"order": 0, "line": 0, "event": 0}
    score_rows: list[tuple] = []

    def flush() -> None:
        with transaction.atomic():
            for model, rows in tables.items():
                if rows:
                    _insert(model, rows)
                rows.clear()

    for customer, _email, _phone in _rows(n, 1):
        pk = customer["id"]
        if rng.random() < 0.25:
            customer["lifecycle_stage"] = "prospect"
        tables[Customer].append(customer)
        if rng.random() < 0.3:
            for _o in range(rng.randint(1, 3)):
                ids["order"] += 1
                ids["line"] += 1
                day = today - dt.timedelta(days=rng.randint(0, 730))
                total = Decimal(rng.choice([50000, 150000, 400000, 900000]))
                tables[Order].append({
                    "id": ids["order"], "customer_id": pk, "source": "bench",
                    "external_id": f"B{ids['order']}", "number": f"B{ids['order']}",
                    "ordered_at": now - dt.timedelta(days=(today - day).days), "order_date": day,
                    "status": "completed", "currency": "IDR", "subtotal": total, "total": total,
                    "paid_total": total, "created_at": now, "updated_at": now, "channel": "store",
                })  # fmt: skip
                tables[OrderLine].append({
                    "id": ids["line"], "order_id": ids["order"], "line_no": 1,
                    "product_id": rng.choice(products).pk, "quantity": Decimal(1),
                    "unit_price": total, "line_total": total, "discount": Decimal(0),
                })  # fmt: skip
        if rng.random() < 0.6:
            score_rows.append((pk, rng.choice(segments), rng.random() * 1e7,
                               rng.choice(["high", "medium", "low"]), rng.random(),
                               rng.choice(["high", "medium", "low"])))  # fmt: skip
        if rng.random() < 0.7:
            ids["event"] += 1
            status = "granted" if rng.random() < 0.9 else "withdrawn"
            tables[ConsentEvent].append({
                "id": ids["event"], "customer_id": pk, "purpose_id": marketing,
                "channel": "email", "status": status, "basis": "consent", "source": "import",
                "occurred_at": now, "recorded_at": now, "wording": "", "wording_version": "",
                "evidence": "",
            })  # fmt: skip
            tables[ConsentState].append({
                "customer_id": pk, "purpose_id": marketing, "channel": "email",
                "status": status, "event_id": ids["event"], "occurred_at": now,
            })  # fmt: skip
        if len(tables[Customer]) >= CHUNK:
            flush()
    flush()
    scores.replace(score_rows)  # what the mart's post-refresh hook writes
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return {"orders": ids["order"], "products": [p.pk for p in products[:2]]}  # type: ignore[dict-item]


def cases(a: int, b: int) -> list[tuple[str, dict, str, list]]:
    """(name, rule, hand-written SQL, params); the SQL is what one would write by hand."""
    from django.utils import timezone

    today = timezone.localdate()
    year, half = today - dt.timedelta(days=365), today - dt.timedelta(days=180)
    c = "customers_customer"
    o = "commerce_order"
    line = "commerce_orderline"
    return [
        ("stage + province",
         {"op": "and", "rules": [
             {"field": "lifecycle_stage", "op": "in", "value": ["customer"]},
             {"field": "province", "op": "eq", "value": "Jawa Barat"}]},
         f"SELECT count(*) FROM {c} WHERE kind = 'person' AND lifecycle_stage = 'customer' "
         "AND province = 'Jawa Barat'", []),
        ("spend >= 1M in a year",
         {"op": "and", "rules": [{"field": "orders_spend", "op": "gte", "value": 1000000,
                                  "days": 365}]},
         f"SELECT count(*) FROM {c} WHERE kind = 'person' AND id IN (SELECT customer_id FROM {o} "
         "WHERE status <> 'cancelled' AND order_date >= %s GROUP BY customer_id "
         "HAVING sum(total) >= 1000000)", [year]),
        ("RFM at risk AND consent",
         {"op": "and", "rules": [
             {"field": "rfm_segment", "op": "in", "value": ["at_risk", "cant_lose"]},
             {"field": "consent", "op": "in", "value": ["granted"], "channel": "email",
              "purpose": "marketing"}]},
         f"SELECT count(*) FROM {c} WHERE kind = 'person' AND id IN (SELECT customer_id FROM "
         "marketing_customerscore WHERE rfm_segment IN ('at_risk', 'cant_lose')) AND id IN "
         "(SELECT s.customer_id FROM privacy_consentstate s JOIN privacy_purpose p ON "
         "p.id = s.purpose_id WHERE p.key = 'marketing' AND s.channel = 'email' "
         "AND s.status = 'granted')", []),
        ("bought A not B, 180 days",
         {"op": "and", "rules": [{"field": "basket", "op": "yes", "value": [a], "value2": [b],
                                  "days": 180}]},
         f"SELECT count(*) FROM {c} WHERE kind = 'person' AND id IN (SELECT o.customer_id FROM "
         f"{line} l JOIN {o} o ON o.id = l.order_id WHERE l.product_id = %s AND "
         "o.status <> 'cancelled' AND o.order_date >= %s) AND id NOT IN (SELECT o.customer_id "
         f"FROM {line} l JOIN {o} o ON o.id = l.order_id WHERE l.product_id = %s AND "
         "o.status <> 'cancelled' AND o.order_date >= %s AND o.customer_id IS NOT NULL)",
         [a, half, b, half]),
    ]  # fmt: skip


def measure(products: list[int], seconds: float, rounds: int = 3) -> list[dict]:
    from django.db import connection

    from relasi.marketing import rules

    out = []
    for name, rule, sql, params in cases(*products):
        clean = rules.validate(rule)

        def relasi(clean: dict = clean) -> int:
            return rules.members(clean).count()

        def plain(sql: str = sql, params: list = params) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return int(cursor.fetchone()[0])

        counts = {"relasi": relasi(), "plain": plain()}
        lat: dict[str, list[float]] = {"relasi": [], "plain": []}
        for _r in range(rounds):
            for key, fn in (("plain", plain), ("relasi", relasi)):
                end = time.perf_counter() + seconds / rounds / 2
                while True:
                    t = time.perf_counter()
                    fn()
                    lat[key].append(time.perf_counter() - t)
                    if time.perf_counter() > end:
                        break
        med = {k: statistics.median(v) for k, v in lat.items()}
        out.append({"rule": name, "count": counts["relasi"], "same": counts["relasi"] == counts["plain"],
                    "plain_ms": round(med["plain"] * 1000, 1),
                    "relasi_ms": round(med["relasi"] * 1000, 1),
                    "ratio": round(med["relasi"] / max(med["plain"], 1e-9), 2)})  # fmt: skip
    return out


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    info = load(args.rows)
    load_s = round(time.perf_counter() - t0, 1)
    results = measure(info["products"], args.seconds)  # type: ignore[arg-type]
    result = {"backend": connection.vendor, "rows": args.rows, "load_s": load_s,
              "orders": info["orders"], "results": results}  # fmt: skip
    print("RESULT " + json.dumps(result), flush=True)


def run(backend: str, rows: int, seconds: float) -> dict:
    from bench.child import run_child

    return run_child(__file__, backend, ["--rows", str(rows), "--seconds", str(seconds)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for backend in args.backends.split(","):
        r = run(backend, args.rows, args.seconds)
        print(f"{r['backend']} {r['rows']:,} people, {r['orders']:,} orders (load {r['load_s']} s)")
        for x in r["results"]:
            print(
                f"  {x['rule']:<26} {x['count']:>9,}  hand SQL {x['plain_ms']:>8.1f} ms  "
                f"Relasi {x['relasi_ms']:>8.1f} ms  ratio {x['ratio']:.2f}x  "
                f"{'same count' if x['same'] else 'COUNTS DIFFER'}  "
                f"{'ok' if x['relasi_ms'] < 1000 else 'OVER 1 s'}"
            )


if __name__ == "__main__":
    main()
