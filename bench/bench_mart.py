"""Data mart at scale (issue 7). Synthetic customers, orders and order lines are generated in
DuckDB (vectorised, seconds for millions of rows) and loaded into the operational tables
through a narrow staging table (executemany on SQLite / COPY on PostgreSQL, never ORM objects;
secondary indexes are rebuilt after a big load). Then, against baselines measured in the
same run:

* full mart build, and an incremental refresh after `--new` new order lines (target < 10 s),
  without and with the post-refresh hooks (the customer models of issue 8 rebuild there);
* KPI queries through `relasi.analytics.kpis` (uncached) against the same query written by
  hand in DuckDB on the same snapshot (target ratio <= 2x);
* the executive dashboard through Django's in-process test client for an administrator and
  a sales rep: cold (cache cleared before every request) and warm (target p95 < 300 ms).

    .venv/bin/python bench/bench_mart.py --customers 1000000 --lines 10000000
    .venv/bin/python bench/bench_mart.py --customers 100000 --lines 1000000      # quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relasi_bench .venv/bin/python bench/bench_mart.py --pg

With --pg the rows go into the database DATABASE_URL names: use a scratch database. The scratch
directory (SQLite file, mart snapshots) is deleted at the end unless --keep.
"""

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHUNK = 500_000
SPAN_START = dt.date(2021, 1, 1)


# --- loading ----------------------------------------------------------------------------------
def _reserve(model: Any, n: int) -> int:
    """The first of `n` fresh primary keys (the sequence moves past them on PostgreSQL)."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            start = int(cursor.fetchone()[0])
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start + n]
            )
            return start
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        return int(cursor.fetchone()[0]) + 1


def _indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the secondary indexes of `tables`."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                tables,
            )
        return list(cursor.fetchall())


def _load(model: Any, duck: Any, sql: str, varying: list[str]) -> int:
    """Insert the rows of DuckDB query `sql` (columns = `varying`, in order) into `model`'s
    table; every other column gets the model's default. Rows go through a narrow staging
    table, then one INSERT … SELECT per chunk fills in the constants as parameters."""
    from django.db import connection, transaction

    from relasi.integrations import bulk

    names, defaults, _pos = bulk.columns(model)
    table = model._meta.db_table
    fields = {f.column: f for f in model._meta.concrete_fields}
    pg = connection.vendor == "postgresql"
    typed = ", ".join(f'"{c}" {fields[c].db_type(connection) if pg else ""}' for c in varying)
    exprs, consts = [], []
    for name, default in zip(names, defaults, strict=True):
        if name in varying:
            exprs.append(f'"{name}"')
        else:
            exprs.append("%s")
            consts.append(default)
    col_sql = ", ".join(f'"{c}"' for c in names)
    insert = f'INSERT INTO "{table}" ({col_sql}) SELECT {", ".join(exprs)} FROM bench_stg'
    cur = duck.execute(sql)
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_stg ({typed})")
        while True:
            rows = cur.fetchmany(CHUNK)
            if not rows:
                break
            with transaction.atomic():
                if pg:
                    stg_cols = ", ".join(f'"{c}"' for c in varying)
                    with cursor.cursor.copy(f"COPY bench_stg ({stg_cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["?"] * len(varying))
                    connection.connection.executemany(
                        f"INSERT INTO bench_stg VALUES ({marks})",
                        rows,
                    )
                cursor.execute(insert, consts)
                cursor.execute("DELETE FROM bench_stg")
            total += len(rows)
        cursor.execute("DROP TABLE bench_stg")
    return total


def _setup_catalogue() -> dict[str, Any]:
    """Stores, 200 products in 10 categories and 20 sales reps in 3 teams (created once)."""
    from django.contrib.auth.hashers import make_password

    from relasi.accounts.models import Role, Team, User
    from relasi.commerce.models import Store
    from relasi.sales.models import Product, ProductCategory

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
                Product(sku=f"BENCH-{i}", name=f"Product {i}", unit_price=10_000 + 1000 * i,
                        category=cats[i % 10])
                for i in range(200)
            ]
        )  # fmt: skip
    if not User.objects.filter(username__startswith="bench-rep-").exists():
        teams = [Team.objects.get_or_create(name=f"Bench team {i}")[0] for i in range(3)]
        role = Role.objects.get(slug="sales")
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(username=f"bench-rep-{i}", email=f"bench-rep-{i}@example.test", role=role,
                     team=teams[i % 3], password=unusable)
                for i in range(20)
            ]
        )  # fmt: skip
    return {
        "stores": list(Store.objects.order_by("pk").values_list("pk", "channel")),
        "products": list(
            Product.objects.filter(sku__startswith="BENCH-")
            .order_by("pk")
            .values_list("pk", "unit_price")
        ),
        "owners": list(
            User.objects.filter(username__startswith="bench-rep-")
            .order_by("pk")
            .values_list("pk", "team_id")
        ),
    }


def _timestamp(col: str, pg: bool) -> str:
    """A DuckDB TIMESTAMP column as the text each database stores (UTC)."""
    return f"strftime({col}, '%Y-%m-%d %H:%M:%S')" + (" || '+00'" if pg else "")


def generate(
    customers: int, lines: int, *, seed: int = 1, recent: bool = False, shuffled: bool = False
) -> dict[str, Any]:
    """Insert `customers` customers and about `lines` order lines (3 per order on average,
    90 % of orders by an identified customer) spread over 2021 to today; `recent`: orders
    of the last 30 days changed now (the rows an incremental refresh picks up)."""
    import duckdb
    from django.db import connection
    from django.utils import timezone

    from relasi.commerce.models import Order, OrderLine
    from relasi.customers.models import Customer

    cat = _setup_catalogue()
    pg = connection.vendor == "postgresql"
    duck = duckdb.connect(config={"threads": 2})
    # r(i, salt, m): a deterministic pseudo-random integer in [0, m) per row, seed and salt.
    duck.execute(f"CREATE MACRO r(i, salt, m) AS CAST(hash(i, {seed}, salt) % m AS BIGINT)")
    duck.execute("CREATE TABLE st AS SELECT * FROM (VALUES " + ", ".join(
        f"({i}, {pk}, '{ch}')" for i, (pk, ch) in enumerate(cat["stores"])) + ") t(i, id, channel)")  # fmt: skip
    duck.execute("CREATE TABLE pr AS SELECT * FROM (VALUES " + ", ".join(
        f"({i}, {pk}, {float(price)}::DOUBLE)" for i, (pk, price) in enumerate(cat["products"])) + ") t(i, id, price)")  # fmt: skip
    duck.execute("CREATE TABLE ow AS SELECT * FROM (VALUES " + ", ".join(
        f"({i}, {pk}, {team or 'NULL'})" for i, (pk, team) in enumerate(cat["owners"])) + ") t(i, id, team)")  # fmt: skip
    today = timezone.localdate()
    now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)
    big = customers + lines >= 1_000_000
    tables = [Customer._meta.db_table, Order._meta.db_table, OrderLine._meta.db_table]
    dropped = _indexes(tables) if big else []
    with connection.cursor() as cursor:
        for name, _sql in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
    out: dict[str, Any] = {"customers": customers}
    t0 = time.perf_counter()
    if customers:
        first = _reserve(Customer, customers)
        past = _timestamp(f"TIMESTAMP '{now - dt.timedelta(days=400):%Y-%m-%d %H:%M:%S}'", pg)
        out["customers_loaded"] = _load(
            Customer,
            duck,
            f"SELECT {first} + i AS id, 'Customer ' || ({first} + i) AS name, "
            "CASE WHEN i % 10 = 0 THEN 'organization' ELSE 'person' END AS kind, "
            "CASE WHEN i % 10 = 0 THEN 'b2b' ELSE 'b2c' END AS customer_type, "
            f"{past}, {past}, {past} FROM range({customers}) t(i)",
            [
                "id",
                "name",
                "kind",
                "customer_type",
                "created_at",
                "updated_at",
                "lifecycle_changed_at",
            ],
        )
    out["customer_s"] = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT MIN(id), MAX(id) FROM "{Customer._meta.db_table}"')
        lo, hi = cursor.fetchone()
    t0 = time.perf_counter()
    n_orders = max(1, lines // 3)
    first_order = _reserve(Order, n_orders)
    span = 30 if recent else (today - SPAN_START).days
    day0 = today - dt.timedelta(days=30) if recent else SPAN_START
    # Orders: k lines each (1, 2, 3, 3, 4, 5 -> 3 on average). Ids grow with the order date,
    # as in a live system (--shuffled: ids in random date order, the worst case for the
    # mart's per-row-group min/max pruning of date ranges).
    order_by = "i" if shuffled else "day, i"
    duck.execute(
        f"CREATE TABLE o AS SELECT {first_order} - 1 + row_number() OVER (ORDER BY {order_by}) "
        "AS id, * FROM (SELECT i, [1, 2, 3, 3, 4, 5][1 + r(i, 1, 6)] AS k, "
        f"DATE '{day0}' + CAST(r(i, 2, {span}) AS INTEGER) AS day, "
        "r(i, 3, (SELECT count(*) FROM st)) AS store_i, "
        "r(i, 4, (SELECT count(*) FROM ow)) AS owner_i, "
        "CASE WHEN r(i, 5, 10) = 0 THEN NULL "
        f"ELSE {lo or 0} + r(i, 6, {max(1, (hi or 0) - (lo or 0) + 1)}) END AS customer_id "
        f"FROM range({n_orders}) t(i))"
    )
    duck.execute("CREATE TABLE off AS SELECT i, sum(k) OVER (ORDER BY id) - k AS off FROM o")
    n_lines = int(duck.execute("SELECT sum(k) FROM o").fetchone()[0])
    first_line = _reserve(OrderLine, n_lines)
    duck.execute(
        f"CREATE TABLE l AS SELECT {first_line} + off.off + x.n - 1 AS id, x.order_id, "
        "x.n AS line_no, pr.id AS product_id, x.quantity, pr.price AS unit_price FROM ("
        "SELECT o.i, o.id AS order_id, n, r(o.i * 8 + n, 8, (SELECT count(*) FROM pr)) AS p, "
        "CAST(1 + (r(o.i * 8 + n, 7, 5) = 0)::INT AS DOUBLE) AS quantity "
        "FROM o, range(1, 6) r(n) WHERE n <= o.k) x JOIN off USING (i) JOIN pr ON pr.i = x.p"
    )
    stamp = f"TIMESTAMP '{now:%Y-%m-%d %H:%M:%S}'" if recent else "o.day + INTERVAL 12 HOUR"
    out["orders"] = _load(
        Order,
        duck,
        f"SELECT o.id, 'bench' AS source, CAST(o.id AS VARCHAR), CAST(o.id AS VARCHAR), "
        f"o.customer_id, st.channel, st.id, {_timestamp('o.day + INTERVAL 12 HOUR', pg)}, "
        f"strftime(o.day, '%Y-%m-%d'), t.total, t.total, round(t.total * 0.7, 2), t.total, ow.id, ow.team, "
        f"{_timestamp('o.day + INTERVAL 12 HOUR', pg)}, {_timestamp(stamp, pg)} "
        "FROM o JOIN st ON st.i = o.store_i JOIN ow ON ow.i = o.owner_i "
        "JOIN (SELECT order_id, sum(quantity * unit_price) AS total FROM l GROUP BY 1) t "
        "ON t.order_id = o.id ORDER BY o.id",
        ["id", "source", "external_id", "number", "customer_id", "channel", "store_id",
         "ordered_at", "order_date", "subtotal", "total", "cost_total", "paid_total", "owner_id",
         "team_id", "created_at", "updated_at"],
    )  # fmt: skip
    out["order_lines"] = _load(
        OrderLine,
        duck,
        "SELECT id, order_id, line_no, product_id, quantity, unit_price, 0.0::DOUBLE, "
        "round(unit_price * 0.7, 2), quantity * unit_price FROM l ORDER BY id",
        ["id", "order_id", "line_no", "product_id", "quantity", "unit_price", "discount",
         "unit_cost", "line_total"],
    )  # fmt: skip
    out["order_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, sql in dropped:
            cursor.execute(sql)
        if pg:
            cursor.execute("ANALYZE customers_customer, commerce_order, commerce_orderline")
        else:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
    out["index_s"] = time.perf_counter() - t0
    out["lines"] = out["order_lines"]
    duck.close()
    return out


# --- measuring --------------------------------------------------------------------------------
KPI_CASES = [
    ("revenue", "SELECT count(*), sum(net_amount), count(DISTINCT customer_key), count(customer_key), "
     "sum(net_amount) FILTER (WHERE customer_key IS NOT NULL), sum(margin) FROM fact_order "
     "WHERE is_sale AND order_date >= ? AND order_date < ?", 2),
    ("repeat_purchase_rate", "SELECT count(*), count(*) FILTER (WHERE n >= 2) FROM (SELECT customer_key, count(*) n "
     "FROM fact_order WHERE customer_key IS NOT NULL AND is_sale AND order_date >= ? AND order_date < ? GROUP BY 1)", 2),
    ("retention_rate",
     "WITH s AS (SELECT DISTINCT customer_key FROM fact_order WHERE customer_key IS NOT NULL AND is_sale "
     "AND order_date >= ? AND order_date < ?), e AS (SELECT DISTINCT customer_key FROM fact_order "
     "WHERE customer_key IS NOT NULL AND is_sale AND order_date >= ? AND order_date < ?), "
     "n AS (SELECT customer_key FROM agg_customer WHERE first_order_date >= ? AND first_order_date < ?) "
     "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM e), (SELECT count(*) FROM n), "
     "(SELECT count(*) FROM e WHERE customer_key IN (SELECT customer_key FROM n)), "
     "(SELECT count(*) FROM s WHERE customer_key NOT IN (SELECT customer_key FROM e))", 6),
    ("cross_sell_rate",
     "WITH cf AS (SELECT customer_key, category_key, min(order_date) AS d FROM fact_order_line "
     "WHERE is_sale AND customer_key IS NOT NULL AND category_key IS NOT NULL GROUP BY 1, 2), "
     "ret AS (SELECT o.order_id FROM fact_order o JOIN agg_customer a USING (customer_key) "
     "WHERE a.first_order_date < o.order_date AND o.is_sale AND o.order_date >= ? AND o.order_date < ?), "
     "hit AS (SELECT DISTINCT l.order_id FROM fact_order_line l JOIN ret USING (order_id) JOIN cf "
     "ON cf.customer_key = l.customer_key AND cf.category_key = l.category_key AND cf.d = l.order_date) "
     "SELECT (SELECT count(*) FROM ret), (SELECT count(*) FROM hit)", 2),
]  # fmt: skip


def _hand_params(f: Any, n: int) -> list[Any]:
    if n == 2:
        return [f.start, f.end]
    back = dt.timedelta(days=f.inactive_days)
    return [f.start - back, f.start, f.end - back, f.end, f.start, f.end]


def _refresh(**kw: Any) -> tuple[float, Any]:
    from relasi.analytics import mart

    t = time.perf_counter()
    log = mart.refresh(**kw)
    return time.perf_counter() - t, log


def _without_hooks() -> Any:
    """Detach the post-refresh hooks (customer models) to time the mart alone."""
    from relasi.analytics import mart

    hooks = list(mart._post_refresh)
    mart._post_refresh.clear()
    return hooks


def _dashboard(user: Any, n: int, cold: bool) -> list[float]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    client.force_login(user)
    lat = []
    for _ in range(n):
        if cold:
            cache.clear()
        t = time.perf_counter()
        r = client.get("/analytics/")
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
    return lat


def _p95(lat: list[float]) -> float:
    ordered = sorted(lat)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def measure(
    new_lines: int, repeats: int = 5, *, hooks: bool = True, pages: int = 20
) -> dict[str, Any]:
    from django.core.cache import cache
    from django.utils import timezone

    from relasi.accounts.models import User
    from relasi.analytics import kpis, mart

    out: dict[str, Any] = {}
    saved = _without_hooks()
    try:
        out["full_refresh_s"], full = _refresh(full=True, trigger="bench")
        out["mart_rows"] = full.totals.get("fact_order_line")
        out["mart_mb"] = mart.current_path().stat().st_size / 1e6  # type: ignore[union-attr]
        gen = generate(0, new_lines, seed=99, recent=True)
        out["incremental_s"], inc = _refresh(trigger="bench")
        out["incremental_rows"] = inc.rows.get("fact_order_line")
        out["incremental_orders"] = inc.rows.get("fact_order")
        out["new_lines"] = gen["lines"]
    finally:
        mart._post_refresh[:] = saved
    if hooks and saved:
        gen2 = generate(0, new_lines, seed=98, recent=True)
        out["incremental_hooks_s"], _log = _refresh(trigger="bench")
        out["new_lines_2"] = gen2["lines"]
    end = timezone.localdate() + dt.timedelta(days=1)
    f = kpis.Filters(start=end - dt.timedelta(days=365), end=end)
    # The hand-written queries run on a plain DuckDB cursor of the same snapshot.
    con = mart._connection().cursor()
    out["kpis"] = []
    for key, sql, n_params in KPI_CASES:
        ours, hand = [], []
        for _ in range(repeats):
            cache.clear()  # KPIs and their building blocks are cached per snapshot
            t = time.perf_counter()
            kpis.KPIS[key].compute(f)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            con.execute(sql, _hand_params(f, n_params)).fetchall()
            hand.append(time.perf_counter() - t)
        o, h = statistics.median(ours), statistics.median(hand)
        out["kpis"].append((key, o, h, o / h if h else 0))
    con.close()
    admin = User.objects.filter(role__slug="administrator").first()
    if admin is None:
        from relasi.core.testing import make_user

        admin = make_user("bench-admin", "administrator")
    rep = User.objects.filter(username__startswith="bench-rep-").order_by("pk").first()
    # The first request of a fresh process also pays imports and template compilation.
    out["dashboard_first_ms"] = _dashboard(admin, 1, cold=True)[0]
    cold = _dashboard(admin, max(3, pages // 4), cold=True)
    out["dashboard_cold_p95_ms"] = _p95(cold)
    out["dashboard_p95_ms"] = _p95(_dashboard(admin, pages, cold=False))
    rep_cold = _dashboard(rep, max(3, pages // 4), cold=True)
    out["dashboard_rep_cold_p95_ms"] = _p95(rep_cold)
    out["dashboard_rep_p95_ms"] = _p95(_dashboard(rep, pages, cold=False))
    return out


def report(gen: dict[str, Any], res: dict[str, Any], vendor: str) -> str:
    rows = [
        f"Data mart benchmark ({vendor}): {gen['customers']:,} customers, {gen['lines']:,} order lines "
        f"({gen['orders']:,} orders); mart file {res['mart_mb']:,.0f} MB",
        f"  load (DuckDB-generated, executemany/COPY): customers {gen['customer_s']:.1f} s, "
        f"orders+lines {gen['order_s']:.1f} s, index rebuild + ANALYZE {gen['index_s']:.1f} s",
        f"  full mart build (no hooks)                  {res['full_refresh_s']:8.2f} s",
        f"  incremental after {res['new_lines']:,} new lines (no hooks) {res['incremental_s']:8.2f} s"
        f"   ({res['incremental_orders']:,} orders re-read; target < 10 s)",
    ]
    if "incremental_hooks_s" in res:
        rows.append(
            f"  incremental after {res['new_lines_2']:,} new lines with the customer-model hooks "
            f"{res['incremental_hooks_s']:8.2f} s"
        )
    rows.append(
        "  KPI (via kpis.py vs hand-written DuckDB, median)   ours      hand     ratio (target <= 2x)"
    )
    for key, o, h, ratio in res["kpis"]:
        rows.append(f"    {key:<28} {o * 1000:10.1f} ms {h * 1000:8.1f} ms {ratio:6.2f}x")
    rows.append(
        f"  executive dashboard, administrator: cold p95 {res['dashboard_cold_p95_ms']:.0f} ms "
        f"(first request of the process {res['dashboard_first_ms']:.0f} ms), warm p95 {res['dashboard_p95_ms']:.0f} ms (target < 300 ms)"
    )
    rows.append(
        f"  executive dashboard, sales rep (own orders): cold p95 {res['dashboard_rep_cold_p95_ms']:.0f} ms, "
        f"warm p95 {res['dashboard_rep_p95_ms']:.0f} ms"
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument(
        "--no-hooks", action="store_true", help="skip the run with post-refresh hooks"
    )
    parser.add_argument("--pg", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--shuffled", action="store_true", help="order ids in random date order")
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
    try:
        t = time.perf_counter()
        gen = generate(args.customers, args.lines, shuffled=args.shuffled)
        print(f"generated and loaded in {time.perf_counter() - t:.1f} s", flush=True)
        print(
            report(gen, measure(args.new, hooks=not args.no_hooks), connection.vendor), flush=True
        )
    finally:
        from relasi.analytics import mart

        mart.close_all()
        if args.keep:
            print(f"scratch directory kept: {var}")
        else:
            import shutil

            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
