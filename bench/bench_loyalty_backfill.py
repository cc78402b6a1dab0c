"""Loyalty programme launch (issue #15): earn for historical orders in bulk.

    .venv/bin/python bench/bench_loyalty_backfill.py                      # 100,000 orders, SQLite
    .venv/bin/python bench/bench_loyalty_backfill.py --orders 1000000 --backends sqlite,postgresql

Baseline: a raw parameterised `executemany` INSERT of the very ledger rows the back-fill
wrote (read back, table emptied, inserted again). Relasi: `loyalty.backfill.backfill()` —
reading the orders, lines and returns, applying the programme's rules, writing the entries and
moving the balances. Target: ratio <= 3x.
"""

import argparse
import datetime as dt
import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load(n_orders: int, n_members: int) -> "object":
    """n_members people enrolled in one programme, n_orders orders of 1-3 lines over 5 years."""
    from django.db import transaction
    from django.utils import timezone

    from relasi.commerce.models import Order, OrderLine
    from relasi.customers.models import Customer
    from relasi.loyalty.actions import luhn_digit
    from relasi.loyalty.models import EarnRule, Member, Programme
    from relasi.sales.models import Product, ProductCategory

    rng = random.Random(15)
    start = timezone.now() - dt.timedelta(days=5 * 365)
    programme = Programme.objects.create(
        code="bench", name="Bench", starts_on=start.date(), first_purchase_bonus=50,
        birthday_multiplier=Decimal(2),
    )  # fmt: skip
    cat = ProductCategory.objects.create(name="Bench kopi")
    products = [
        Product.objects.create(sku=f"B{i}", name=f"P{i}", unit_price=Decimal(25000), category=cat if i % 3 == 0 else None)
        for i in range(20)
    ]  # fmt: skip
    EarnRule.objects.create(programme=programme, name="Kopi", kind="category", category=cat)
    with transaction.atomic():
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    kind="person",
                    name=f"Bench {i}",
                    first_name="Bench",
                    date_of_birth=dt.date(1990, 1 + i % 12, 1),
                )
                for i in range(n_members)
            ],
            batch_size=5000,
        )
        Member.objects.bulk_create(
            [
                Member(
                    programme=programme,
                    customer=c,
                    number=f"77{i:09d}" + luhn_digit(f"77{i:09d}"),
                    enrolled_at=start,
                )
                for i, c in enumerate(customers)
            ],
            batch_size=5000,
        )
    done = 0
    while done < n_orders:
        step = min(20000, n_orders - done)
        with transaction.atomic():
            orders = []
            for i in range(step):
                at = start + dt.timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
                orders.append(Order(
                    source="bench", external_id=f"B{done + i}", customer=rng.choice(customers),
                    ordered_at=at, order_date=timezone.localtime(at).date(), status="completed",
                ))  # fmt: skip
            Order.objects.bulk_create(orders, batch_size=5000)
            lines, totals = [], []
            for o in orders:
                total = Decimal(0)
                for n in range(rng.randint(1, 3)):
                    p = rng.choice(products)
                    q = Decimal(rng.randint(1, 4))
                    lines.append(OrderLine(order=o, line_no=n + 1, product=p, sku=p.sku,
                        quantity=q, unit_price=p.unit_price, line_total=q * p.unit_price))  # fmt: skip
                    total += q * p.unit_price
                o.total = o.subtotal = total
                totals.append(o)
            OrderLine.objects.bulk_create(lines, batch_size=5000)
            Order.objects.bulk_update(totals, ["total", "subtotal"], batch_size=5000)
        done += step
    return programme


def measure(programme: "object") -> dict:
    from django.db import connection, transaction

    from relasi.loyalty import backfill
    from relasi.loyalty.models import LedgerEntry, Member

    t = time.perf_counter()
    stats = backfill.backfill(programme)  # type: ignore[arg-type]
    relasi = time.perf_counter() - t
    rows = [
        tuple(json.dumps(v) if isinstance(v, dict) else v for v in r)
        for r in LedgerEntry.objects.order_by("pk").values_list(*backfill.COLUMNS)
    ]
    LedgerEntry.objects.all()._raw_delete(connection.alias)  # the benchmark's own table reset
    Member.objects.update(balance=0)
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(backfill.insert_sql(), rows)
    raw = time.perf_counter() - t
    return {
        "orders": stats["orders"], "entries": stats["entries"], "relasi_s": relasi, "raw_s": raw,
        "relasi_rows_s": stats["entries"] / relasi, "raw_rows_s": len(rows) / raw,
        "ratio": relasi / raw if raw else 0.0,
    }  # fmt: skip


def child(args: argparse.Namespace) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relasi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    programme = load(args.orders, args.members)
    print("RESULT " + json.dumps(measure(programme)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=0, help="default: orders / 5")
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    args.members = args.members or max(1, args.orders // 5)
    if args.child:
        child(args)
        return
    from bench.child import run_child

    print(
        f"Loyalty back-fill, {args.orders:,} orders, {args.members:,} members (target ratio <= 3x)"
    )
    print(f"{'backend':<12}{'entries':>10}{'Relasi rows/s':>16}{'raw rows/s':>14}{'ratio':>8}")
    for backend in args.backends.split(","):
        r = run_child(
            __file__, backend, ["--orders", str(args.orders), "--members", str(args.members)]
        )
        print(
            f"{backend:<12}{r['entries']:>10,}{r['relasi_rows_s']:>16,.0f}{r['raw_rows_s']:>14,.0f}{r['ratio']:>7.2f}x"
        )


if __name__ == "__main__":
    main()
