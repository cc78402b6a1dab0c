"""The data mart: a DuckDB star schema copied incrementally from the operational database.

Public API (what dashboards, the report builder and the customer models build on):

    from relasi.analytics import mart

    rows = mart.query("SELECT customer_key, SUM(net_amount) FROM fact_order_line "
                      "WHERE order_date >= ? GROUP BY 1", [start])
    with mart.reader() as con:          # a read-only DuckDB cursor on one consistent snapshot
        con.execute("SELECT ...", params).fetchall()
    mart.generation()                   # int, changes on every refresh (cache key); None = no mart
    mart.refresh(full=False, trigger="cron")   # -> MartRefresh (runs the loaders; one at a time)
    mart.request_refresh("import")      # after a bulk change: queue one refresh (debounced)
    mart.register_post_refresh(fn)      # fn(con, changed) builds derived tables in the new snapshot
    mart.TABLES                         # table name -> (description, [(column, type, doc), ...])

Storage: `var/mart/mart-NNNNNN.duckdb` plus a `CURRENT` pointer file. DuckDB lets one process
write a file *or* many processes read it, never both; so a refresh copies the current snapshot
to the next generation, updates the copy, and then atomically moves the pointer. Readers (web
processes) never wait for a refresh and never see half of one. The previous generation is kept
for readers still holding it; older ones are deleted.
"""

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = 1
POINTER = "CURRENT"

# name -> (description, columns). Keys are *_key = the operational id (customer_key = customers
# .Customer.id, product_key = sales.Product.id, store_key = commerce.Store.id, owner_key = user
# id), so a mart row always leads back to its record.
# Descriptions are shown to administrators (mart status), so they are translatable.
TABLES: dict[str, tuple[Any, list[tuple[str, str, str]]]] = {
    "fact_order_line": (
        _("One row per order line (commerce.OrderLine) with its order's attributes."),
        [
            ("line_id", "BIGINT PRIMARY KEY", "commerce.OrderLine.id"),
            ("order_id", "BIGINT", "commerce.Order.id"),
            ("order_date", "DATE", "local order date"),
            ("date_key", "INTEGER", "yyyymmdd, joins dim_date"),
            ("ordered_at", "TIMESTAMP", "UTC"),
            ("customer_key", "BIGINT", "NULL for anonymous walk-in sales"),
            ("product_key", "BIGINT", "NULL if the product was deleted"),
            ("category_key", "BIGINT", "product category at refresh time"),
            ("store_key", "BIGINT", ""),
            ("channel", "VARCHAR", "store, web, marketplace, phone, field"),
            ("owner_key", "BIGINT", "sales rep credited (order owner)"),
            ("team_key", "BIGINT", "order team"),
            ("status", "VARCHAR", "pending, paid, completed, cancelled"),
            ("is_sale", "BOOLEAN", "status <> cancelled: counts in revenue KPIs"),
            ("quantity", "DOUBLE", ""),
            ("unit_price", "DOUBLE", ""),
            ("discount", "DOUBLE", "line discount amount"),
            ("net_amount", "DOUBLE", "line total = quantity × unit price − discount"),
            ("cost", "DOUBLE", "quantity × unit cost (NULL if unknown)"),
            ("margin", "DOUBLE", "net_amount − cost (NULL if cost unknown)"),
            ("currency", "VARCHAR", ""),
        ],
    ),
    "fact_order": (
        _("One row per order (commerce.Order)."),
        [
            ("order_id", "BIGINT PRIMARY KEY", "commerce.Order.id"),
            ("source", "VARCHAR", "source system"),
            ("external_id", "VARCHAR", ""),
            ("order_date", "DATE", "local order date"),
            ("date_key", "INTEGER", "yyyymmdd"),
            ("ordered_at", "TIMESTAMP", "UTC"),
            ("customer_key", "BIGINT", "NULL for walk-in"),
            ("store_key", "BIGINT", ""),
            ("channel", "VARCHAR", ""),
            ("owner_key", "BIGINT", ""),
            ("team_key", "BIGINT", ""),
            ("status", "VARCHAR", ""),
            ("is_sale", "BOOLEAN", "status <> cancelled"),
            ("subtotal", "DOUBLE", ""),
            ("discount_total", "DOUBLE", ""),
            ("net_amount", "DOUBLE", "order total"),
            ("cost", "DOUBLE", ""),
            ("margin", "DOUBLE", ""),
            ("paid_amount", "DOUBLE", ""),
            ("returned_amount", "DOUBLE", ""),
            ("currency", "VARCHAR", ""),
            ("updated_at", "TIMESTAMP", "operational change time"),
        ],
    ),
    "fact_ticket": (
        _("One row per service ticket (service.Ticket), if the service app is installed."),
        [
            ("ticket_id", "BIGINT PRIMARY KEY", ""),
            ("customer_key", "BIGINT", ""),
            ("owner_key", "BIGINT", "assignee"),
            ("team_key", "BIGINT", ""),
            ("channel", "VARCHAR", ""),
            ("priority", "VARCHAR", ""),
            ("status", "VARCHAR", ""),
            ("opened_at", "TIMESTAMP", ""),
            ("opened_date", "DATE", ""),
            ("first_responded_at", "TIMESTAMP", ""),
            ("resolved_at", "TIMESTAMP", ""),
            ("first_response_minutes", "DOUBLE", ""),
            ("resolution_minutes", "DOUBLE", ""),
            ("fcr", "BOOLEAN", "first-contact resolution"),
            ("updated_at", "TIMESTAMP", ""),
        ],
    ),
    "fact_activity": (
        _("One row per activity (activities.Activity), if the activities app is installed."),
        [
            ("activity_id", "BIGINT PRIMARY KEY", ""),
            ("customer_key", "BIGINT", ""),
            ("owner_key", "BIGINT", ""),
            ("team_key", "BIGINT", ""),
            ("kind", "VARCHAR", "task, call, meeting, ..."),
            ("status", "VARCHAR", ""),
            ("due_at", "TIMESTAMP", ""),
            ("done_at", "TIMESTAMP", ""),
            ("activity_date", "DATE", "local date of due_at (else created_at)"),
            ("duration_minutes", "DOUBLE", ""),
            ("updated_at", "TIMESTAMP", ""),
        ],
    ),
    "fact_campaign_event": (
        _("Campaign events (sent, opened, clicked, converted, unsubscribed); no source yet."),
        [
            ("event_id", "BIGINT PRIMARY KEY", ""),
            ("campaign_key", "BIGINT", ""),
            ("customer_key", "BIGINT", ""),
            ("channel", "VARCHAR", ""),
            ("event_type", "VARCHAR", ""),
            ("event_at", "TIMESTAMP", ""),
            ("event_date", "DATE", ""),
            ("revenue", "DOUBLE", ""),
        ],
    ),
    "dim_customer": (
        _("Customers (customers.Customer), current attributes (type 1)."),
        [
            ("customer_key", "BIGINT PRIMARY KEY", "customers.Customer.id"),
            ("name", "VARCHAR", ""),
            ("kind", "VARCHAR", "person / organization"),
            ("customer_type", "VARCHAR", "b2c / b2b"),
            ("lifecycle_stage", "VARCHAR", ""),
            ("source", "VARCHAR", ""),
            ("gender", "VARCHAR", ""),
            ("birth_year", "INTEGER", ""),
            ("city", "VARCHAR", ""),
            ("province", "VARCHAR", ""),
            ("owner_key", "BIGINT", "account owner"),
            ("team_key", "BIGINT", ""),
            ("tags", "VARCHAR", "'|a|b|' (match with LIKE '%|a|%')"),
            ("created_at", "TIMESTAMP", ""),
            ("updated_at", "TIMESTAMP", ""),
        ],
    ),
    "dim_product": (
        _("Products (sales.Product) with their category and parent category."),
        [
            ("product_key", "BIGINT PRIMARY KEY", ""),
            ("sku", "VARCHAR", ""),
            ("name", "VARCHAR", ""),
            ("category_key", "BIGINT", ""),
            ("category", "VARCHAR", ""),
            ("parent_category", "VARCHAR", "top-level category"),
            ("unit", "VARCHAR", ""),
            ("list_price", "DOUBLE", ""),
            ("active", "BOOLEAN", ""),
        ],
    ),
    "dim_store": (
        _("Stores (commerce.Store)."),
        [
            ("store_key", "BIGINT PRIMARY KEY", ""),
            ("code", "VARCHAR", ""),
            ("name", "VARCHAR", ""),
            ("channel", "VARCHAR", ""),
            ("city", "VARCHAR", ""),
            ("province", "VARCHAR", ""),
            ("team_key", "BIGINT", ""),
        ],
    ),
    "dim_channel": (
        _("Sales channels."),
        [("channel", "VARCHAR PRIMARY KEY", ""), ("label", "VARCHAR", "English label")],
    ),
    "dim_owner": (
        _("Users (sales reps, agents) with their team."),
        [
            ("owner_key", "BIGINT PRIMARY KEY", "accounts.User.id"),
            ("username", "VARCHAR", ""),
            ("name", "VARCHAR", ""),
            ("team_key", "BIGINT", ""),
            ("team", "VARCHAR", ""),
        ],
    ),
    "dim_date": (
        _("Calendar 2015–2035 with Indonesian holidays, Ramadan and Lebaran flags."),
        [
            ("date_key", "INTEGER PRIMARY KEY", "yyyymmdd"),
            ("date", "DATE", ""),
            ("year", "INTEGER", ""),
            ("quarter", "INTEGER", ""),
            ("month", "INTEGER", ""),
            ("day", "INTEGER", ""),
            ("iso_week", "INTEGER", ""),
            ("day_of_week", "INTEGER", "1 = Monday"),
            ("is_weekend", "BOOLEAN", ""),
            ("is_holiday", "BOOLEAN", "national holiday or cuti bersama"),
            ("holiday", "VARCHAR", ""),
            ("is_ramadan", "BOOLEAN", ""),
            ("is_lebaran_week", "BOOLEAN", "Idulfitri ± 3 days"),
        ],
    ),
    "agg_customer": (
        _("Per customer: first and last purchase, orders, revenue, margin (sales only)."),
        [
            ("customer_key", "BIGINT PRIMARY KEY", ""),
            ("first_order_date", "DATE", ""),
            ("last_order_date", "DATE", ""),
            ("orders", "INTEGER", ""),
            ("revenue", "DOUBLE", ""),
            ("margin", "DOUBLE", ""),
            ("items", "DOUBLE", "quantity bought"),
        ],
    ),
    "mart_meta": (
        _("Key/value bookkeeping: schema version and watermarks per source."),
        [("key", "VARCHAR PRIMARY KEY", ""), ("value", "VARCHAR", "")],
    ),
}


def ddl() -> list[str]:
    out = []
    for name, (_doc, cols) in TABLES.items():
        body = ", ".join(f'"{c}" {t}' for c, t, _d in cols)
        out.append(f"CREATE TABLE IF NOT EXISTS {name} ({body})")
    return out


def columns(table: str) -> list[str]:
    return [c for c, _t, _d in TABLES[table][1]]


# --- where the mart lives ---------------------------------------------------------------------
def directory() -> Path:
    path = Path(getattr(settings, "RELASI_MART_DIR", "") or Path(settings.VAR_DIR) / "mart")
    path.mkdir(parents=True, exist_ok=True)
    return path


def generation() -> int | None:
    """The current snapshot's number (None until the first refresh)."""
    try:
        name = (directory() / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    try:
        return int(name.removeprefix("mart-").removesuffix(".duckdb"))
    except ValueError:
        return None


def path_for(gen: int) -> Path:
    return directory() / f"mart-{gen:06d}.duckdb"


def current_path() -> Path | None:
    gen = generation()
    if gen is None:
        return None
    path = path_for(gen)
    return path if path.exists() else None


def publish(gen: int) -> None:
    """Atomically make generation `gen` current, then drop all but the previous one."""
    d = directory()
    tmp = d / f".{POINTER}.{os.getpid()}"
    tmp.write_text(path_for(gen).name)
    os.replace(tmp, d / POINTER)
    for old in d.glob("mart-*.duckdb"):
        try:
            n = int(old.stem.removeprefix("mart-"))
        except ValueError:
            continue
        if n < gen - 1:
            with contextlib.suppress(OSError):
                old.unlink()
                Path(str(old) + ".wal").unlink(missing_ok=True)


# --- reading ----------------------------------------------------------------------------------
class MartMissing(RuntimeError):
    """No refresh has produced a mart yet."""


_lock = threading.Lock()
_open: dict[str, Any] = {}


def _connection() -> Any:
    import duckdb

    path = current_path()
    if path is None:
        raise MartMissing("The data mart has not been built yet (run manage.py refresh_mart).")
    key = str(path)
    with _lock:
        con = _open.get(key)
        if con is None:
            for stale in list(_open):
                with contextlib.suppress(Exception):
                    _open.pop(stale).close()
            con = duckdb.connect(key, read_only=True, config={"threads": 2})
            _open[key] = con
    return con


@contextlib.contextmanager
def reader() -> Iterator[Any]:
    """A read-only cursor on the current snapshot (thread-safe: one cursor per use)."""
    cursor = _connection().cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def query(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with reader() as con:
        return list(con.execute(sql, params or []).fetchall())


def query_dicts(sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with reader() as con:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def close_all() -> None:
    """Close cached reader connections (tests, and before deleting the files)."""
    with _lock:
        for key in list(_open):
            with contextlib.suppress(Exception):
                _open.pop(key).close()


def meta() -> dict[str, str]:
    try:
        return dict(query("SELECT key, value FROM mart_meta"))  # type: ignore[arg-type]
    except MartMissing:
        return {}


def table_counts() -> dict[str, int]:
    try:
        with reader() as con:
            return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608 - constant names
    except MartMissing:
        return {}


# --- refreshing -------------------------------------------------------------------------------
PostRefresh = Callable[[Any, dict[str, Any]], None]
_post_refresh: list[PostRefresh] = []


def register_post_refresh(fn: PostRefresh) -> PostRefresh:
    """Run `fn(con, changed)` at the end of every refresh, on the read-write connection of the
    new snapshot, before it is published. `changed` has "customers" (customer keys whose
    facts changed, or None after a full rebuild) and "full" (bool)."""
    if fn not in _post_refresh:
        _post_refresh.append(fn)
    return fn


def post_refresh_hooks() -> list[PostRefresh]:
    return list(_post_refresh)


def refresh(*, full: bool = False, trigger: str = "manual", user: Any = None) -> Any:
    """Bring the mart up to date (incrementally unless `full`); returns the MartRefresh log
    row. If another refresh holds the lock, returns a row with status "skipped"."""
    from relasi.analytics import refresh as _refresh

    return _refresh.run(full=full, trigger=trigger, user=user)


def request_refresh(trigger: str) -> None:
    """Queue an incremental refresh once the current transaction commits, unless one is
    queued or running already (debounced; see `refresh.request`). For bulk writers: imports,
    batch API calls."""
    from relasi.analytics import refresh as _refresh

    _refresh.request_on_commit(trigger)


def export_parquet(dest: Path) -> list[Path]:
    """Write every table as `<table>.parquet` into `dest` (for external BI tools)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    with reader() as con:
        for table in TABLES:
            target = dest / f"{table}.parquet"
            # Constant table names; the path is ours (a temp dir), quoted as a literal.
            literal = str(target).replace("'", "''")
            con.execute(f"COPY {table} TO '{literal}' (FORMAT parquet)")
            out.append(target)
    return out
