"""Refreshing the mart: copy what changed in the operational database since the last
watermark into a new DuckDB snapshot, then publish it.

* Rows are pulled with raw cursors in chunks (a server-side cursor on PostgreSQL), written to a
  temporary CSV and loaded by DuckDB's CSV reader: never an ORM object per row (DuckDB's own
  `executemany` manages ~500 rows/s; the CSV path ~500,000 rows/s).
* Facts and the customer dimension are incremental by `updated_at` (re-reading a short overlap
  window, so a transaction that committed late is not missed; upserts make the re-read
  harmless). Deleted orders come from `DeletedOrder` tombstones; customer merges (which move
  orders without touching `updated_at`) from `MergeRecord`; anything else that disappeared is
  found by comparing row counts and then ids.
* Small dimensions (stores, products, users) are reloaded whole each time.
* Tickets and activities are optional sources: a missing app or model is skipped.
* One refresh at a time: a lease row (`MartLock`) taken with a conditional UPDATE.
"""

import contextlib
import csv
import datetime as dt
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from relasi.analytics import calendar_id, mart
from relasi.analytics.choices import RefreshStatus
from relasi.analytics.models import MartLock, MartRefresh

CHUNK = 200_000
OVERLAP = dt.timedelta(minutes=5)
LEASE = dt.timedelta(minutes=15)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- the lock ---------------------------------------------------------------------------------
def acquire(holder: str, lease: dt.timedelta = LEASE) -> bool:
    with contextlib.suppress(IntegrityError):  # another process created it first
        MartLock.objects.get_or_create(pk=1)
    now = timezone.now()
    taken = (
        MartLock.objects.filter(pk=1)
        .filter(Q(holder="") | Q(expires_at__lt=now) | Q(expires_at__isnull=True))
        .update(holder=holder, expires_at=now + lease)
    )
    return taken == 1


def extend(holder: str, lease: dt.timedelta = LEASE) -> None:
    MartLock.objects.filter(pk=1, holder=holder).update(expires_at=timezone.now() + lease)


def release(holder: str) -> None:
    MartLock.objects.filter(pk=1, holder=holder).update(holder="", expires_at=None)


# --- automatic refreshes (debounced) ----------------------------------------------------------
def request(trigger: str) -> bool:
    """Ask for a refresh after a change (an orders import, a batch of API orders): queue one
    refresh task unless one is queued or running already. A change that arrives while a
    refresh runs is noted (`wanted_at`) and that refresh queues one follow-up when it ends,
    so nothing waits for cron and there is never more than one task in the queue. Returns
    True if a task was queued. Call it once the change is committed (`on_commit`)."""
    if not getattr(settings, "RELASI_MART_AUTO_REFRESH", True):
        return False
    with contextlib.suppress(IntegrityError):
        MartLock.objects.get_or_create(pk=1)
    now = timezone.now()
    MartLock.objects.filter(pk=1).update(wanted_at=now)
    idle = Q(holder="") | Q(expires_at__lt=now) | Q(expires_at__isnull=True)
    unqueued = Q(queued_until__isnull=True) | Q(queued_until__lt=now)
    if not MartLock.objects.filter(idle, unqueued, pk=1).update(queued_until=now + LEASE):
        return False
    from relasi.analytics.tasks import refresh_mart_task

    task = refresh_mart_task
    delay = int(getattr(settings, "RELASI_MART_REFRESH_DELAY", 60))
    if delay > 0 and task.get_backend().supports_defer:
        task = task.using(run_after=now + dt.timedelta(seconds=delay))
    task.enqueue(trigger=trigger, queued=True)
    return True


def request_on_commit(trigger: str) -> None:
    transaction.on_commit(lambda: request(trigger))


def _dequeue() -> None:
    """A queued task starts: it no longer counts as queued (it runs, or it is skipped because
    another refresh runs, which then covers its changes or queues a follow-up)."""
    MartLock.objects.filter(pk=1).update(queued_until=None)


def _follow_up(since: dt.datetime) -> None:
    """Queue one more refresh if a change asked for one while this refresh ran."""
    if MartLock.objects.filter(pk=1, wanted_at__gte=since).exists():
        request("follow-up")


# --- helpers ----------------------------------------------------------------------------------
def _duck_type(decl: str) -> str:
    return decl.replace(" PRIMARY KEY", "")


def _utc_offset_seconds() -> int:
    """The business time zone's current UTC offset (Indonesia has no DST)."""
    off = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(off.total_seconds()) if off else 0


def _db_value(value: dt.datetime) -> Any:
    """A datetime as the operational database compares it (SQLite keeps text)."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model: type[models.Model], name: str, alias: str = "") -> str:
    """The column of field `name`, or NULL when the model has no such field (optional
    sources evolve; the mart must not break when they do)."""
    try:
        f = model._meta.get_field(name)
    except Exception:
        return "NULL"
    column = getattr(f, "column", None)
    if not column:
        return "NULL"
    q = connection.ops.quote_name(column)
    return f"{alias}.{q}" if alias else q


def optional_model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


@dataclass
class Run:
    con: Any
    meta: dict[str, str]
    full: bool
    holder: str
    tmp: Path
    rows: dict[str, int] = field(default_factory=dict)
    customers: set[int] = field(default_factory=set)
    offset: int = 0

    def since(self, source: str) -> dt.datetime:
        if self.full or source not in self.meta:
            return EPOCH
        return dt.datetime.fromisoformat(self.meta[source]).replace(tzinfo=dt.UTC) - OVERLAP

    def mark(self, source: str, staging: str, column: str = "updated_at") -> None:
        top = self.con.execute(f"SELECT max({column}) FROM {staging}").fetchone()[0]  # noqa: S608
        if top is not None:
            self.meta[source] = top.isoformat()


def stage(
    run: Run,
    name: str,
    cols: list[tuple[str, str]],
    sql: str,
    params: Iterable[Any] = (),
    *,
    append: bool = False,
) -> int:
    """Stream the result of `sql` (operational DB) into DuckDB table `name` in chunks."""
    spec = ", ".join(f"'{c}': '{t}'" for c, t in cols)
    if not append:
        body = ", ".join(f'"{c}" {t}' for c, t in cols)
        run.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({body})")
    path = run.tmp / f"{name}.csv"
    total = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, list(params))
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                break
            with open(path, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(rows)
            literal = str(path).replace("'", "''")
            run.con.execute(
                f"INSERT INTO {name} SELECT * FROM read_csv('{literal}', header=false, "  # noqa: S608
                f"columns={{{spec}}}, quote='\"', escape='\"', nullstr='', "
                "auto_detect=false, strict_mode=false)"
            )
            total += len(rows)
            extend(run.holder)
    return total


# --- loaders ----------------------------------------------------------------------------------
def load_small_dimensions(run: Run) -> None:
    from relasi.accounts.models import Team, User
    from relasi.commerce.choices import SalesChannel
    from relasi.commerce.models import Store
    from relasi.sales.models import Product, ProductCategory

    con = run.con
    cat = _table(ProductCategory)
    stage(
        run,
        "stg_product",
        [
            ("id", "BIGINT"),
            ("sku", "VARCHAR"),
            ("name", "VARCHAR"),
            ("category_id", "BIGINT"),
            ("category", "VARCHAR"),
            ("parent", "VARCHAR"),
            ("unit", "VARCHAR"),
            ("price", "DOUBLE"),
            ("active", "BOOLEAN"),
        ],
        f"SELECT p.id, p.sku, p.name, p.category_id, c.name, COALESCE(pc.name, c.name), p.unit, "  # noqa: S608
        f"p.unit_price, p.active FROM {_table(Product)} p LEFT JOIN {cat} c ON c.id = p.category_id "
        f"LEFT JOIN {cat} pc ON pc.id = c.parent_id",
    )
    con.execute("DELETE FROM dim_product; INSERT INTO dim_product SELECT * FROM stg_product")
    stage(
        run,
        "stg_store",
        [
            ("id", "BIGINT"),
            ("code", "VARCHAR"),
            ("name", "VARCHAR"),
            ("channel", "VARCHAR"),
            ("city", "VARCHAR"),
            ("province", "VARCHAR"),
            ("team_id", "BIGINT"),
        ],
        f"SELECT id, code, name, channel, city, province, team_id FROM {_table(Store)}",  # noqa: S608
    )
    con.execute("DELETE FROM dim_store; INSERT INTO dim_store SELECT * FROM stg_store")
    stage(
        run,
        "stg_owner",
        [
            ("id", "BIGINT"),
            ("username", "VARCHAR"),
            ("first", "VARCHAR"),
            ("last", "VARCHAR"),
            ("team_id", "BIGINT"),
            ("team", "VARCHAR"),
        ],
        f"SELECT u.id, u.username, u.first_name, u.last_name, u.team_id, t.name "  # noqa: S608
        f"FROM {_table(User)} u LEFT JOIN {_table(Team)} t ON t.id = u.team_id",
    )
    con.execute(
        "DELETE FROM dim_owner; INSERT INTO dim_owner SELECT id, username, "
        "COALESCE(NULLIF(trim(concat_ws(' ', first, last)), ''), username), team_id, team "
        "FROM stg_owner"
    )
    con.execute("DELETE FROM dim_channel")
    con.executemany(
        "INSERT INTO dim_channel VALUES (?, ?)",
        [(value, str(label)) for value, label in SalesChannel.choices],
    )
    if con.execute("SELECT COUNT(*) FROM dim_date").fetchone()[0] == 0:
        load_dates(run)


def load_dates(run: Run) -> None:
    holidays = calendar_id.holidays()
    lebaran: set[dt.date] = set()
    ramadan: list[tuple[dt.date, dt.date]] = []
    for year in calendar_id.IDULFITRI:
        span = calendar_id.ramadan(year)
        if span:
            ramadan.append(span)
            lebaran.update(span[1] + dt.timedelta(days=d) for d in range(-3, 4))
    rows = []
    day = dt.date(2015, 1, 1)
    while day <= dt.date(2035, 12, 31):
        iso = day.isocalendar()
        rows.append(
            (
                day.year * 10000 + day.month * 100 + day.day,
                day.isoformat(),
                day.year,
                (day.month - 1) // 3 + 1,
                day.month,
                day.day,
                iso.week,
                iso.weekday,
                iso.weekday >= 6,
                day in holidays,
                holidays.get(day, ""),
                any(a <= day < b for a, b in ramadan),
                day in lebaran,
            )
        )
        day += dt.timedelta(days=1)
    path = run.tmp / "dates.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    cols = ", ".join(f"'{c}': '{_duck_type(t)}'" for c, t, _d in mart.TABLES["dim_date"][1])
    literal = str(path).replace("'", "''")
    run.con.execute(
        f"INSERT INTO dim_date SELECT * FROM read_csv('{literal}', header=false, "  # noqa: S608
        f"columns={{{cols}}}, auto_detect=false)"
    )


def load_customers(run: Run) -> None:
    from relasi.customers.models import Customer

    con = run.con
    since = run.since("customers")
    cust = _table(Customer)
    n = stage(
        run,
        "stg_customer",
        [
            ("id", "BIGINT"),
            ("name", "VARCHAR"),
            ("kind", "VARCHAR"),
            ("ctype", "VARCHAR"),
            ("stage", "VARCHAR"),
            ("source", "VARCHAR"),
            ("gender", "VARCHAR"),
            ("dob", "DATE"),
            ("city", "VARCHAR"),
            ("province", "VARCHAR"),
            ("owner_id", "BIGINT"),
            ("team_id", "BIGINT"),
            ("created_at", "TIMESTAMP"),
            ("updated_at", "TIMESTAMP"),
        ],
        f"SELECT id, name, kind, customer_type, lifecycle_stage, source, gender, date_of_birth, "  # noqa: S608
        f"city, province, owner_id, team_id, created_at, updated_at FROM {cust} "
        "WHERE updated_at >= %s",
        [_db_value(since)],
    )
    through = Customer.tags.through
    tag_table = _table(apps.get_model("core", "Tag"))
    stage(
        run,
        "stg_tag",
        [("customer_id", "BIGINT"), ("tag", "VARCHAR")],
        f"SELECT ct.customer_id, t.name FROM {_table(through)} ct "  # noqa: S608
        f"JOIN {tag_table} t ON t.id = ct.tag_id JOIN {cust} c ON c.id = ct.customer_id "
        "WHERE c.updated_at >= %s",
        [_db_value(since)],
    )
    con.execute(
        "DELETE FROM dim_customer WHERE customer_key IN (SELECT id FROM stg_customer);"
        "INSERT INTO dim_customer SELECT c.id, c.name, c.kind, c.ctype, c.stage, c.source, "
        "c.gender, year(c.dob), c.city, c.province, c.owner_id, c.team_id, "
        "CASE WHEN t.tags IS NULL THEN '' ELSE '|' || t.tags || '|' END, c.created_at, c.updated_at "
        "FROM stg_customer c LEFT JOIN (SELECT customer_id, string_agg(tag, '|' ORDER BY tag) "
        "AS tags FROM stg_tag GROUP BY 1) t ON t.customer_id = c.id"
    )
    run.rows["dim_customer"] = n
    run.mark("customers", "stg_customer")
    # Deleted customers: after the upsert the mart holds every live customer, so more rows in
    # the mart than in the source means some were deleted (or merged away).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {cust}")  # noqa: S608
        live = cursor.fetchone()[0]
    if con.execute("SELECT COUNT(*) FROM dim_customer").fetchone()[0] > live:
        stage(run, "stg_ids", [("id", "BIGINT")], f"SELECT id FROM {cust}")  # noqa: S608
        gone = [
            r[0]
            for r in con.execute(
                "SELECT customer_key FROM dim_customer ANTI JOIN stg_ids ON id = customer_key"
            ).fetchall()
        ]
        if gone:
            con.execute("CREATE OR REPLACE TEMP TABLE gone AS SELECT unnest(?) AS k", [gone])
            con.execute("DELETE FROM dim_customer WHERE customer_key IN (SELECT k FROM gone)")
            # Orders of a deleted customer are kept with no customer (on_delete=SET_NULL).
            for fact in ("fact_order", "fact_order_line"):
                con.execute(
                    f"UPDATE {fact} SET customer_key = NULL "  # noqa: S608
                    "WHERE customer_key IN (SELECT k FROM gone)"
                )
            con.execute("DELETE FROM agg_customer WHERE customer_key IN (SELECT k FROM gone)")
            run.rows["dim_customer_deleted"] = len(gone)


ORDER_COLS = [
    ("id", "BIGINT"),
    ("source", "VARCHAR"),
    ("external_id", "VARCHAR"),
    ("order_date", "DATE"),
    ("ordered_at", "TIMESTAMP"),
    ("customer_id", "BIGINT"),
    ("store_id", "BIGINT"),
    ("channel", "VARCHAR"),
    ("owner_id", "BIGINT"),
    ("team_id", "BIGINT"),
    ("status", "VARCHAR"),
    ("subtotal", "DOUBLE"),
    ("discount_total", "DOUBLE"),
    ("total", "DOUBLE"),
    ("cost_total", "DOUBLE"),
    ("paid_total", "DOUBLE"),
    ("returned_total", "DOUBLE"),
    ("currency", "VARCHAR"),
    ("updated_at", "TIMESTAMP"),
]
LINE_COLS = [
    ("id", "BIGINT"),
    ("order_id", "BIGINT"),
    ("order_date", "DATE"),
    ("ordered_at", "TIMESTAMP"),
    ("customer_id", "BIGINT"),
    ("product_id", "BIGINT"),
    ("store_id", "BIGINT"),
    ("channel", "VARCHAR"),
    ("owner_id", "BIGINT"),
    ("team_id", "BIGINT"),
    ("status", "VARCHAR"),
    ("quantity", "DOUBLE"),
    ("unit_price", "DOUBLE"),
    ("discount", "DOUBLE"),
    ("line_total", "DOUBLE"),
    ("unit_cost", "DOUBLE"),
    ("currency", "VARCHAR"),
]


def _order_sql(where: str) -> tuple[str, str]:
    from relasi.commerce.models import Order, OrderLine

    o, lines = _table(Order), _table(OrderLine)
    orders = (
        "SELECT o.id, o.source, o.external_id, o.order_date, o.ordered_at, o.customer_id, "  # noqa: S608
        "o.store_id, o.channel, o.owner_id, o.team_id, o.status, o.subtotal, o.discount_total, "
        "o.total, o.cost_total, o.paid_total, o.returned_total, o.currency, o.updated_at "
        f"FROM {o} o WHERE {where}"
    )
    line_sql = (
        "SELECT l.id, l.order_id, o.order_date, o.ordered_at, o.customer_id, l.product_id, "  # noqa: S608
        "o.store_id, o.channel, o.owner_id, o.team_id, o.status, l.quantity, l.unit_price, "
        "l.discount, l.line_total, l.unit_cost, o.currency "
        f"FROM {lines} l JOIN {o} o ON o.id = l.order_id WHERE {where}"
    )
    return orders, line_sql


def _merge_customers(run: Run) -> list[int]:
    """Customers touched by merges (or undos) since the watermark: their orders moved without
    a change of `updated_at`, so they are re-read."""
    merge = optional_model("customers.MergeRecord")
    if merge is None or run.full:
        return []
    since = run.since("merges")
    keys: set[int] = set()
    now = timezone.now()
    for survivor, merged in merge._default_manager.filter(
        Q(merged_at__gte=since) | Q(undone_at__gte=since)
    ).values_list("survivor_id", "merged_id"):
        keys.update((survivor, merged))
    run.meta["merges"] = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return sorted(keys)


def load_orders(run: Run) -> None:
    from relasi.commerce.models import DeletedOrder, Order

    con = run.con
    since = _db_value(run.since("orders"))
    orders_sql, lines_sql = _order_sql("o.updated_at >= %s")
    n_orders = stage(run, "stg_order", ORDER_COLS, orders_sql, [since])
    n_lines = stage(run, "stg_line", LINE_COLS, lines_sql, [since])
    run.mark("orders", "stg_order")
    moved = _merge_customers(run)
    if moved:
        marks = ", ".join(["%s"] * len(moved))
        extra_orders, extra_lines = _order_sql(f"o.customer_id IN ({marks})")
        stage(run, "stg_order", ORDER_COLS, extra_orders, moved, append=True)
        stage(run, "stg_line", LINE_COLS, extra_lines, moved, append=True)
        # Orders the mart still files under a merged-away customer: re-read them by id.
        ids = [
            r[0]
            for r in con.execute(
                "SELECT order_id FROM fact_order WHERE customer_key IN (SELECT unnest(?))",
                [moved],
            ).fetchall()
        ]
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            more_orders, more_lines = _order_sql(f"o.id IN ({marks})")
            stage(run, "stg_order", ORDER_COLS, more_orders, chunk, append=True)
            stage(run, "stg_line", LINE_COLS, more_lines, chunk, append=True)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE stg_order AS SELECT DISTINCT ON (id) * FROM stg_order; "
            "CREATE OR REPLACE TEMP TABLE stg_line AS SELECT DISTINCT ON (id) * FROM stg_line"
        )
    # Tombstones of deleted orders.
    last_tomb = 0 if run.full else int(run.meta.get("deleted_orders", "0"))
    tombs = list(
        DeletedOrder.objects.filter(pk__gt=last_tomb).order_by("pk").values_list("pk", "order_id")
    )
    if tombs:
        run.meta["deleted_orders"] = str(tombs[-1][0])
    dead = [t[1] for t in tombs]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched AS SELECT id AS order_id FROM stg_order "
        "UNION SELECT unnest(?::BIGINT[])",
        [dead],
    )
    # Customers whose figures change: before (in the mart) and after (staged).
    for (key,) in con.execute(
        "SELECT DISTINCT customer_key FROM fact_order WHERE order_id IN "
        "(SELECT order_id FROM touched) AND customer_key IS NOT NULL "
        "UNION SELECT DISTINCT customer_id FROM stg_order WHERE customer_id IS NOT NULL"
    ).fetchall():
        run.customers.add(key)
    con.execute(
        "DELETE FROM fact_order WHERE order_id IN (SELECT order_id FROM touched);"
        "DELETE FROM fact_order_line WHERE order_id IN (SELECT order_id FROM touched);"
        "INSERT INTO fact_order SELECT id, source, external_id, order_date, "
        "CAST(strftime(order_date, '%Y%m%d') AS INTEGER), ordered_at, customer_id, store_id, "
        "channel, owner_id, team_id, status, status <> 'cancelled', subtotal, discount_total, "
        "total, cost_total, total - cost_total, paid_total, returned_total, currency, updated_at "
        "FROM stg_order;"
        "INSERT INTO fact_order_line SELECT l.id, l.order_id, l.order_date, "
        "CAST(strftime(l.order_date, '%Y%m%d') AS INTEGER), l.ordered_at, l.customer_id, "
        "l.product_id, p.category_key, l.store_id, l.channel, l.owner_id, l.team_id, l.status, "
        "l.status <> 'cancelled', l.quantity, l.unit_price, l.discount, l.line_total, "
        "l.unit_cost * l.quantity, l.line_total - l.unit_cost * l.quantity, l.currency "
        "FROM stg_line l LEFT JOIN dim_product p ON p.product_key = l.product_id"
    )
    # Anything deleted without a tombstone (a raw delete, a cascade): compare counts, then ids.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_table(Order)}")  # noqa: S608
        live = cursor.fetchone()[0]
    if con.execute("SELECT COUNT(*) FROM fact_order").fetchone()[0] > live:
        stage(run, "stg_ids", [("id", "BIGINT")], f"SELECT id FROM {_table(Order)}")  # noqa: S608
        con.execute(
            "CREATE OR REPLACE TEMP TABLE gone AS SELECT order_id FROM fact_order "
            "ANTI JOIN stg_ids ON id = order_id"
        )
        for (key,) in con.execute(
            "SELECT DISTINCT customer_key FROM fact_order WHERE order_id IN "
            "(SELECT order_id FROM gone) AND customer_key IS NOT NULL"
        ).fetchall():
            run.customers.add(key)
        con.execute(
            "DELETE FROM fact_order WHERE order_id IN (SELECT order_id FROM gone);"
            "DELETE FROM fact_order_line WHERE order_id IN (SELECT order_id FROM gone)"
        )
        dead += [r[0] for r in con.execute("SELECT order_id FROM gone").fetchall()]
    run.rows["fact_order"] = n_orders
    run.rows["fact_order_line"] = n_lines
    run.rows["deleted_orders"] = len(dead)


def refresh_customer_aggregates(run: Run) -> None:
    con = run.con
    if run.full:
        con.execute("DELETE FROM agg_customer")
        where = "customer_key IS NOT NULL"
        params: list[Any] = []
    else:
        if not run.customers:
            return
        con.execute(
            "CREATE OR REPLACE TEMP TABLE changed AS SELECT unnest(?::BIGINT[]) AS k",
            [sorted(run.customers)],
        )
        con.execute("DELETE FROM agg_customer WHERE customer_key IN (SELECT k FROM changed)")
        where = "customer_key IN (SELECT k FROM changed)"
        params = []
    con.execute(
        "INSERT INTO agg_customer SELECT o.customer_key, min(o.order_date), max(o.order_date), "  # noqa: S608
        "count(*), sum(o.net_amount), sum(o.margin), COALESCE(max(i.items), 0) FROM fact_order o "
        "LEFT JOIN (SELECT customer_key, sum(quantity) AS items FROM fact_order_line "
        f"WHERE is_sale AND {where} GROUP BY 1) i USING (customer_key) "
        f"WHERE o.is_sale AND o.customer_key IS NOT NULL AND o.{where} GROUP BY o.customer_key",
        params,
    )
    run.rows["agg_customer"] = len(run.customers) if not run.full else -1


def _load_optional(
    run: Run,
    label: str,
    source: str,
    fact: str,
    key: str,
    select: list[tuple[str, str, str]],
    insert: str,
) -> None:
    """Generic incremental loader for an optional source model (skipped if absent)."""
    model = optional_model(label)
    if model is None:
        return
    con = run.con
    cols = [(name, typ) for name, typ, _expr in select]
    exprs = ", ".join(expr for _n, _t, expr in select)
    table = _table(model)
    updated = _col(model, "updated_at", "s")
    where = f"{updated} >= %s" if updated != "NULL" else "1 = 1"
    try:
        n = stage(
            run,
            f"stg_{fact}",
            cols,
            f"SELECT {exprs} FROM {table} s WHERE {where}",  # noqa: S608
            [_db_value(run.since(source))] if updated != "NULL" else [],
        )
    except Exception as exc:  # a table not migrated yet: skip, never break the refresh
        run.rows[f"{fact}_skipped"] = 1
        run.meta[f"{source}_error"] = str(exc)[:200]
        connection.close()  # a failed statement may leave PostgreSQL's transaction aborted
        return
    con.execute(
        f"DELETE FROM {fact} WHERE {key} IN (SELECT id FROM stg_{fact}); "  # noqa: S608
        f"INSERT INTO {fact} {insert}"
    )
    if updated != "NULL":
        run.mark(source, f"stg_{fact}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        live = cursor.fetchone()[0]
    if con.execute(f"SELECT COUNT(*) FROM {fact}").fetchone()[0] > live:  # noqa: S608
        stage(run, "stg_ids", [("id", "BIGINT")], f"SELECT id FROM {table}")  # noqa: S608
        con.execute(f"DELETE FROM {fact} WHERE {key} NOT IN (SELECT id FROM stg_ids)")  # noqa: S608
    run.rows[fact] = n


def load_tickets(run: Run) -> None:
    m = optional_model("service.Ticket")
    if m is None:
        return
    off = run.offset
    _load_optional(
        run,
        "service.Ticket",
        "tickets",
        "fact_ticket",
        "ticket_id",
        [
            ("id", "BIGINT", "s.id"),
            ("customer_id", "BIGINT", _col(m, "customer", "s")),
            ("owner_id", "BIGINT", _col(m, "owner", "s")),
            ("team_id", "BIGINT", _col(m, "team", "s")),
            ("channel", "VARCHAR", _col(m, "channel", "s")),
            ("priority", "VARCHAR", _col(m, "priority", "s")),
            ("status", "VARCHAR", _col(m, "status", "s")),
            ("created_at", "TIMESTAMP", _col(m, "created_at", "s")),
            ("first_responded_at", "TIMESTAMP", _col(m, "first_responded_at", "s")),
            ("resolved_at", "TIMESTAMP", _col(m, "resolved_at", "s")),
            ("frm", "DOUBLE", _col(m, "first_response_minutes", "s")),
            ("rm", "DOUBLE", _col(m, "resolution_minutes", "s")),
            ("fcr", "BOOLEAN", _col(m, "fcr", "s")),
            ("updated_at", "TIMESTAMP", _col(m, "updated_at", "s")),
        ],
        "SELECT id, customer_id, owner_id, team_id, channel, priority, status, created_at, "  # noqa: S608
        f"CAST(created_at + INTERVAL {off} SECOND AS DATE), first_responded_at, resolved_at, "
        "frm, rm, fcr, updated_at FROM stg_fact_ticket",
    )


def load_activities(run: Run) -> None:
    m = optional_model("activities.Activity")
    if m is None:
        return
    off = run.offset
    _load_optional(
        run,
        "activities.Activity",
        "activities",
        "fact_activity",
        "activity_id",
        [
            ("id", "BIGINT", "s.id"),
            ("customer_id", "BIGINT", _col(m, "customer", "s")),
            ("owner_id", "BIGINT", _col(m, "owner", "s")),
            ("team_id", "BIGINT", _col(m, "team", "s")),
            ("kind", "VARCHAR", _col(m, "kind", "s")),
            ("status", "VARCHAR", _col(m, "status", "s")),
            ("due_at", "TIMESTAMP", _col(m, "due_at", "s")),
            ("done_at", "TIMESTAMP", _col(m, "done_at", "s")),
            ("created_at", "TIMESTAMP", _col(m, "created_at", "s")),
            ("duration", "DOUBLE", _col(m, "duration_minutes", "s")),
            ("updated_at", "TIMESTAMP", _col(m, "updated_at", "s")),
        ],
        "SELECT id, customer_id, owner_id, team_id, kind, status, due_at, done_at, "  # noqa: S608
        f"CAST(COALESCE(due_at, created_at) + INTERVAL {off} SECOND AS DATE), duration, "
        "updated_at FROM stg_fact_activity",
    )


# --- the run ----------------------------------------------------------------------------------
def _prepare(target: Path, previous: Path | None, full: bool) -> Any:
    import duckdb

    for p in (target, Path(str(target) + ".wal")):
        p.unlink(missing_ok=True)
    if previous is not None and not full:
        shutil.copyfile(previous, target)
    con = duckdb.connect(str(target), config={"threads": 2})
    meta: dict[str, str] = {}
    try:
        meta = dict(con.execute("SELECT key, value FROM mart_meta").fetchall())
    except Exception:
        meta = {}
    if meta.get("schema_version") != str(mart.SCHEMA_VERSION):
        for table in mart.TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        meta = {}
    for stmt in mart.ddl():
        con.execute(stmt)
    return con, meta


def run(
    *, full: bool = False, trigger: str = "manual", user: Any = None, queued: bool = False
) -> MartRefresh:
    """One refresh (see mart.refresh). `queued`: started by `request()`'s task."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    user_id = getattr(user, "pk", None)
    asked = timezone.now()
    taken = acquire(holder)
    if queued:
        _dequeue()
    if not taken:
        return MartRefresh.objects.create(
            status=RefreshStatus.SKIPPED,
            trigger=trigger,
            full=full,
            finished_at=timezone.now(),
            requested_by_id=user_id,
        )
    log = MartRefresh.objects.create(trigger=trigger, full=full, requested_by_id=user_id)
    started = time.perf_counter()
    previous = mart.current_path()
    gen = (mart.generation() or 0) + 1
    target = mart.path_for(gen)
    con = None
    try:
        con, meta = _prepare(target, previous, full)
        with tempfile.TemporaryDirectory(prefix="relasi-mart-") as tmp:
            job = Run(con, meta, full or not meta, holder, Path(tmp), offset=_utc_offset_seconds())
            load_small_dimensions(job)
            load_customers(job)
            load_orders(job)
            refresh_customer_aggregates(job)
            load_tickets(job)
            load_activities(job)
            changed = {"customers": None if job.full else sorted(job.customers), "full": job.full}
            for hook in mart.post_refresh_hooks():
                hook(con, changed)
            job.meta["schema_version"] = str(mart.SCHEMA_VERSION)
            job.meta["refreshed_at"] = timezone.now().isoformat()
            con.execute("DELETE FROM mart_meta")
            con.executemany("INSERT INTO mart_meta VALUES (?, ?)", sorted(job.meta.items()))
            totals = {
                t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in mart.TABLES
            }
        con.execute("CHECKPOINT")
        con.close()
        con = None
        mart.publish(gen)
        MartRefresh.objects.filter(pk=log.pk).update(
            status=RefreshStatus.SUCCEEDED,
            finished_at=timezone.now(),
            generation=gen,
            full=job.full,
            rows=job.rows,
            totals=totals,
            watermarks={k: v for k, v in job.meta.items() if k != "schema_version"},
            seconds=round(time.perf_counter() - started, 3),
        )
    except Exception as exc:
        if con is not None:
            con.close()
        target.unlink(missing_ok=True)
        MartRefresh.objects.filter(pk=log.pk).update(
            status=RefreshStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:5000],
            seconds=round(time.perf_counter() - started, 3),
        )
        raise
    finally:
        release(holder)
    _follow_up(asked)
    log.refresh_from_db()
    return log
