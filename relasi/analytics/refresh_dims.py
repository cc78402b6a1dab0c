"""Mart loaders for the dimensions: stores, products, users and channels (small, reloaded
whole), the calendar (built once per snapshot file) and customers (incremental by
`updated_at`, deletions found by comparing counts, then ids)."""

import csv
import datetime as dt

from django.apps import apps
from django.db import connection

from relasi.analytics import calendar_id, mart
from relasi.analytics.refresh_base import Run, as_text, db_value, duck_type, quoted_table, stage


def load_small_dimensions(run: Run) -> None:
    from relasi.accounts.models import Team, User
    from relasi.commerce.choices import SalesChannel
    from relasi.commerce.models import Store
    from relasi.sales.models import Product, ProductCategory

    con = run.con
    cat = quoted_table(ProductCategory)
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
        f"p.unit_price, p.active FROM {quoted_table(Product)} p LEFT JOIN {cat} c ON c.id = p.category_id "
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
        f"SELECT id, code, name, channel, city, province, team_id FROM {quoted_table(Store)}",  # noqa: S608
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
        f"FROM {quoted_table(User)} u LEFT JOIN {quoted_table(Team)} t ON t.id = u.team_id",
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
    cols = ", ".join(f"'{c}': '{duck_type(t)}'" for c, t, _d in mart.TABLES["dim_date"][1])
    literal = str(path).replace("'", "''")
    run.con.execute(
        f"INSERT INTO dim_date SELECT * FROM read_csv('{literal}', header=false, "  # noqa: S608
        f"columns={{{cols}}}, auto_detect=false)"
    )


def load_customers(run: Run) -> None:
    from relasi.customers.models import Customer

    con = run.con
    since = run.since("customers")
    cust = quoted_table(Customer)
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
        "SELECT id, name, kind, customer_type, lifecycle_stage, source, gender, "  # noqa: S608
        f"{as_text('date_of_birth')}, city, province, owner_id, team_id, {as_text('created_at')}, "
        f"{as_text('updated_at')} FROM {cust} "
        "WHERE updated_at >= %s",
        [db_value(since)],
    )
    through = Customer.tags.through
    tag_table = quoted_table(apps.get_model("core", "Tag"))
    stage(
        run,
        "stg_tag",
        [("customer_id", "BIGINT"), ("tag", "VARCHAR")],
        f"SELECT ct.customer_id, t.name FROM {quoted_table(through)} ct "  # noqa: S608
        f"JOIN {tag_table} t ON t.id = ct.tag_id JOIN {cust} c ON c.id = ct.customer_id "
        "WHERE c.updated_at >= %s",
        [db_value(since)],
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
