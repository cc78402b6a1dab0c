"""Mart loaders for orders: `fact_order` and `fact_order_line` incremental by the order's
`updated_at` (every line change bumps it), merges from `MergeRecord`, deletions from
`DeletedOrder` tombstones (and, failing those, counts then ids), then `agg_customer` for the
customers whose orders changed."""

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from relasi.analytics.refresh_base import (
    Run,
    as_text,
    db_value,
    optional_model,
    quoted_table,
    stage,
)

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
# Lines carry only their own columns: the order's come from `stg_order` in DuckDB, so a line
# is loaded together with the very order row it was staged with (see load_orders).
LINE_COLS = [
    ("id", "BIGINT"),
    ("order_id", "BIGINT"),
    ("product_id", "BIGINT"),
    ("quantity", "DOUBLE"),
    ("unit_price", "DOUBLE"),
    ("discount", "DOUBLE"),
    ("line_total", "DOUBLE"),
    ("unit_cost", "DOUBLE"),
]


def _order_sql(where: str) -> tuple[str, str]:
    from relasi.commerce.models import Order, OrderLine

    o, lines = quoted_table(Order), quoted_table(OrderLine)
    day, at, changed = as_text("o.order_date"), as_text("o.ordered_at"), as_text("o.updated_at")
    orders = (
        f"SELECT o.id, o.source, o.external_id, {day}, {at}, o.customer_id, "  # noqa: S608
        "o.store_id, o.channel, o.owner_id, o.team_id, o.status, o.subtotal, o.discount_total, "
        f"o.total, o.cost_total, o.paid_total, o.returned_total, o.currency, {changed} "
        f"FROM {o} o WHERE {where}"
    )
    line_sql = (
        "SELECT l.id, l.order_id, l.product_id, l.quantity, l.unit_price, l.discount, "  # noqa: S608
        f"l.line_total, l.unit_cost FROM {lines} l JOIN {o} o ON o.id = l.order_id WHERE {where}"
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
    since = db_value(run.since("orders"))
    orders_sql, lines_sql = _order_sql("o.updated_at >= %s")
    n_orders = stage(run, "stg_order", ORDER_COLS, orders_sql, [since])
    stage(run, "stg_line", LINE_COLS, lines_sql, [since])
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
        "FROM stg_order"
    )
    # Only lines of staged orders: a line read after its order changed between the two
    # reads waits for the next refresh (which re-reads that order) instead of landing beside
    # the mart's stale copy of its order and its old lines.
    n_lines = con.execute(
        "INSERT INTO fact_order_line SELECT l.id, l.order_id, o.order_date, "
        "CAST(strftime(o.order_date, '%Y%m%d') AS INTEGER), o.ordered_at, o.customer_id, "
        "l.product_id, p.category_key, o.store_id, o.channel, o.owner_id, o.team_id, o.status, "
        "o.status <> 'cancelled', l.quantity, l.unit_price, l.discount, l.line_total, "
        "l.unit_cost * l.quantity, l.line_total - l.unit_cost * l.quantity, o.currency "
        "FROM stg_line l JOIN stg_order o ON o.id = l.order_id "
        "LEFT JOIN dim_product p ON p.product_key = l.product_id"
    ).fetchone()[0]
    # Anything deleted without a tombstone (a raw delete, a cascade): compare counts, then ids.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quoted_table(Order)}")  # noqa: S608
        live = cursor.fetchone()[0]
    if con.execute("SELECT COUNT(*) FROM fact_order").fetchone()[0] > live:
        stage(run, "stg_ids", [("id", "BIGINT")], f"SELECT id FROM {quoted_table(Order)}")  # noqa: S608
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
    run.rows["agg_customer"] = (
        len(run.customers)
        if not run.full
        else con.execute("SELECT count(*) FROM agg_customer").fetchone()[0]
    )
