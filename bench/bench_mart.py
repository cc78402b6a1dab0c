"""Data mart at scale (issue 7): synthetic customers and order lines written straight into the
operational tables (executemany on SQLite / COPY on PostgreSQL, never ORM objects), then

* full mart build, and an incremental refresh after `--new` new order lines (target < 10 s);
* KPI queries through `relasi.analytics.kpis` (uncached) against the same query written by hand
  in DuckDB over the same snapshot (target ratio <= 2x);
* the executive dashboard page through Django's in-process test client, cold then warm
  (target p95 < 300 ms warm).

    .venv/bin/python bench/bench_mart.py --customers 1000000 --lines 10000000
    .venv/bin/python bench/bench_mart.py --customers 100000 --lines 1000000      # quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relasi_bench .venv/bin/python bench/bench_mart.py --pg
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNK = 100_000


def generate(
    customers: int, lines: int, *, seed: int = 1, first_customer: int | None = None
) -> dict[str, Any]:
    """Insert `customers` customers and about `lines` order lines (3 per order on average)."""
    from django.db import transaction
    from django.utils import timezone

    from relasi.accounts.models import User
    from relasi.commerce.models import Order, OrderLine, Store
    from relasi.customers.models import Customer
    from relasi.integrations import bulk
    from relasi.sales.models import Product, ProductCategory

    rng = random.Random(seed)
    if not Store.objects.exists():
        for i, (code, ch) in enumerate([("JKT", "store"), ("BDG", "store"), ("SBY", "store"), ("MDN", "store"),
                                         ("WEB", "web"), ("MKT", "marketplace")]):  # fmt: skip
            Store.objects.create(code=code, name=f"Store {code}", channel=ch, city=f"City {i}")
    if not Product.objects.filter(sku__startswith="BENCH-").exists():
        cats = [
            ProductCategory.objects.get_or_create(name=f"Bench category {i}")[0] for i in range(10)
        ]
        Product.objects.bulk_create(
            [
                Product(
                    sku=f"BENCH-{i}",
                    name=f"Product {i}",
                    unit_price=10_000 + 1000 * i,
                    category=cats[i % 10],
                )
                for i in range(200)
            ]
        )
    stores = list(Store.objects.values_list("pk", "channel"))
    products = list(
        Product.objects.filter(sku__startswith="BENCH-").values_list("pk", "unit_price")
    )
    owners = list(User.objects.values_list("pk", "team_id")[:20]) or [(None, None)]
    now = timezone.now()
    start_day = dt.date(2021, 1, 1)
    span = (timezone.localdate() - start_day).days
    t0 = time.perf_counter()
    names, defaults, pos = bulk.columns(Customer)
    cust_ids: list[int] = []
    for offset in range(0, customers, CHUNK):
        n = min(CHUNK, customers - offset)
        with transaction.atomic():
            ids = bulk.allocate_ids(Customer, n)
            rows = []
            for pk in ids:
                row = list(defaults)
                row[pos["id"]] = pk
                row[pos["name"]] = f"Customer {pk}"
                row[pos["kind"]] = "organization" if pk % 10 == 0 else "person"
                row[pos["customer_type"]] = "b2b" if pk % 10 == 0 else "b2c"
                for k in ("created_at", "updated_at", "lifecycle_changed_at"):
                    row[pos[k]] = bulk.adapt(now)
                rows.append(row)
            bulk.insert(Customer, names, rows)
        cust_ids += ids
    customer_s = time.perf_counter() - t0
    if not cust_ids:
        cust_ids = list(Customer.objects.values_list("pk", flat=True))
    t0 = time.perf_counter()
    onames, odefaults, opos = bulk.columns(Order)
    made = 0
    while made < lines:
        with transaction.atomic():
            n_orders = min(CHUNK // 3, max(1, (lines - made) // 3))
            ids = bulk.allocate_ids(Order, n_orders)
            line_ids = iter(bulk.allocate_ids(OrderLine, n_orders * 6))
            orows, lrows = [], []
            for pk in ids:
                day = start_day + dt.timedelta(days=rng.randrange(span))
                store, channel = stores[rng.randrange(len(stores))]
                owner, team = owners[rng.randrange(len(owners))]
                k = rng.choice((1, 2, 3, 3, 4, 5)) if made < lines else 1
                total = 0
                for no in range(1, k + 1):
                    prod, price = products[rng.randrange(len(products))]
                    qty = 1 + (rng.random() < 0.2)
                    line_total = float(price) * qty
                    total += line_total
                    lrows.append(
                        (
                            next(line_ids),
                            pk,
                            no,
                            prod,
                            "",
                            "",
                            qty,
                            price,
                            0,
                            float(price) * 0.7,
                            line_total,
                        )
                    )
                made += k
                at = bulk.adapt(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC))
                row = list(odefaults)
                vals = {"id": pk, "source": "bench", "external_id": str(pk), "number": str(pk),
                        "customer_id": cust_ids[rng.randrange(len(cust_ids))] if rng.random() < 0.9 else None,
                        "channel": channel, "store_id": store, "ordered_at": at, "order_date": bulk.adapt(day),
                        "status": "completed", "subtotal": total, "total": total, "cost_total": total * 0.7,
                        "paid_total": total, "owner_id": owner, "team_id": team,
                        "created_at": bulk.adapt(now), "updated_at": bulk.adapt(timezone.now())}  # fmt: skip
                for key, v in vals.items():
                    row[opos[key]] = v
                orows.append(row)
            bulk.insert(Order, onames, orows)
            bulk.insert(OrderLine, ("id", "order_id", "line_no", "product_id", "sku", "description", "quantity",
                                    "unit_price", "discount", "unit_cost", "line_total"), lrows)  # fmt: skip
    return {
        "customers": len(cust_ids),
        "lines": made,
        "customer_s": customer_s,
        "order_s": time.perf_counter() - t0,
    }


KPI_CASES = [
    ("revenue", "SELECT count(*), sum(net_amount), count(DISTINCT customer_key), count(customer_key), "
     "sum(net_amount) FILTER (WHERE customer_key IS NOT NULL), sum(margin) FROM fact_order "
     "WHERE is_sale AND order_date >= ? AND order_date < ?"),
    ("repeat_purchase_rate", "SELECT count(*), count(*) FILTER (WHERE n >= 2) FROM (SELECT customer_key, count(*) n "
     "FROM fact_order WHERE customer_key IS NOT NULL AND is_sale AND order_date >= ? AND order_date < ? GROUP BY 1)"),
    ("retention_rate", None),
]  # fmt: skip


def measure(new_lines: int, repeats: int = 5) -> dict[str, Any]:
    from django.test import Client
    from django.utils import timezone

    from relasi.accounts.models import User
    from relasi.analytics import kpis, mart

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    full = mart.refresh(full=True, trigger="bench")
    out["full_refresh_s"] = time.perf_counter() - t0
    out["mart_rows"] = full.totals.get("fact_order_line")
    gen = generate(0, new_lines, seed=99, first_customer=1)
    t0 = time.perf_counter()
    inc = mart.refresh(trigger="bench")
    out["incremental_s"] = time.perf_counter() - t0
    out["incremental_rows"] = inc.rows.get("fact_order_line")
    out["new_lines"] = gen["lines"]
    end = timezone.localdate() + dt.timedelta(days=1)
    f = kpis.Filters(start=end - dt.timedelta(days=365), end=end)
    # The hand-written queries run on a plain DuckDB cursor of the same snapshot.
    con = mart._connection().cursor()
    out["kpis"] = []
    for key, sql in KPI_CASES:
        ours, hand = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            kpis.KPIS[key].compute(f)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            if sql:
                con.execute(sql, [f.start, f.end]).fetchall()
            else:
                con.execute(
                    "WITH s AS (SELECT DISTINCT customer_key FROM fact_order WHERE customer_key IS NOT NULL AND is_sale "
                    "AND order_date >= ? AND order_date < ?), e AS (SELECT DISTINCT customer_key FROM fact_order "
                    "WHERE customer_key IS NOT NULL AND is_sale AND order_date >= ? AND order_date < ?), "
                    "n AS (SELECT customer_key FROM agg_customer WHERE first_order_date >= ? AND first_order_date < ?) "
                    "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM e), (SELECT count(*) FROM n), "
                    "(SELECT count(*) FROM e WHERE customer_key IN (SELECT customer_key FROM n)), "
                    "(SELECT count(*) FROM s WHERE customer_key NOT IN (SELECT customer_key FROM e))",
                    [f.start - dt.timedelta(days=f.inactive_days), f.start, f.end - dt.timedelta(days=f.inactive_days),
                     f.end, f.start, f.end],
                ).fetchall()  # fmt: skip
            hand.append(time.perf_counter() - t)
        o, h = statistics.median(ours), statistics.median(hand)
        out["kpis"].append((key, o, h, o / h if h else 0))
    con.close()
    admin = (
        User.objects.filter(is_superuser=True).first()
        or User.objects.filter(role__slug="administrator").first()
    )
    if admin is None:
        from relasi.core.testing import make_user

        admin = make_user("bench-admin", "administrator")
    client = Client()
    client.force_login(admin)
    t = time.perf_counter()
    r = client.get("/analytics/")
    out["dashboard_cold_ms"] = (time.perf_counter() - t) * 1000
    assert r.status_code == 200, r.status_code
    lat = []
    for _ in range(20):
        t = time.perf_counter()
        client.get("/analytics/")
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    out["dashboard_p95_ms"] = lat[int(len(lat) * 0.95) - 1]
    return out


def report(gen: dict[str, Any], res: dict[str, Any], vendor: str) -> str:
    rows = [
        f"Data mart benchmark ({vendor}): {gen['customers']:,} customers, {gen['lines']:,} order lines",
        f"  load (executemany/COPY): customers {gen['customer_s']:.1f} s, orders+lines {gen['order_s']:.1f} s",
        f"  full mart build                     {res['full_refresh_s']:8.2f} s",
        f"  incremental after {res['new_lines']:,} new lines  {res['incremental_s']:8.2f} s   (target < 10 s)",
        "  KPI (via kpis.py vs hand-written DuckDB, median)   ours      hand     ratio (target <= 2x)",
    ]
    for key, o, h, ratio in res["kpis"]:
        rows.append(f"    {key:<28} {o * 1000:10.1f} ms {h * 1000:8.1f} ms {ratio:6.2f}x")
    rows.append(
        f"  dashboard page: cold {res['dashboard_cold_ms']:.0f} ms, warm p95 {res['dashboard_p95_ms']:.0f} ms (target < 300 ms)"
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument("--pg", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="relasi-bench-mart-")
    os.environ["RELASI_VAR_DIR"] = var
    if not args.pg:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("CACHE_URL", "locmemcache://")
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    os.environ["SECURE_HTTPS"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    gen = generate(args.customers, args.lines)
    print(report(gen, measure(args.new), connection.vendor), flush=True)


if __name__ == "__main__":
    main()
