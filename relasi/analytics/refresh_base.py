"""The machinery every mart loader shares: the refresh lease (`MartLock`), the `Run` being
built, and `stage()`, which streams an operational query into a DuckDB staging table.

Rows go through a temporary CSV file loaded by DuckDB's CSV reader, never an ORM object per
row (DuckDB's own `executemany` manages ~500 rows/s; the CSV path ~500,000 rows/s). On
PostgreSQL the file comes straight from `COPY (query) TO STDOUT`; on SQLite from a chunked
cursor and Python's csv writer, with dates and times read as text."""

import contextlib
import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models
from django.db.models import Q
from django.utils import timezone

from relasi.analytics.models import MartLock

CHUNK = 200_000
OVERLAP = dt.timedelta(minutes=5)
LEASE = dt.timedelta(minutes=15)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- the lock ---------------------------------------------------------------------------------
def ensure_lock_row() -> None:
    with contextlib.suppress(IntegrityError):  # another process created it first
        MartLock.objects.get_or_create(pk=1)


def acquire(holder: str, lease: dt.timedelta = LEASE) -> bool:
    ensure_lock_row()
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


# --- helpers ----------------------------------------------------------------------------------
def duck_type(decl: str) -> str:
    return decl.replace(" PRIMARY KEY", "")


def utc_offset_seconds() -> int:
    """The business time zone's current UTC offset (Indonesia has no DST)."""
    off = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(off.total_seconds()) if off else 0


def db_value(value: dt.datetime) -> Any:
    """A datetime as the operational database compares it (SQLite keeps text)."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def quoted_table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str, alias: str = "") -> str:
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
    reads: dict[str, dt.datetime] = field(default_factory=dict)

    def since(self, source: str) -> dt.datetime:
        """Read `source` rows changed at or after this (call it just before the read).

        A transaction stamps `updated_at` before it commits, so a row may become visible
        after a read that it predates: every read goes back OVERLAP before the previous
        read's start. Going back from the newest row seen instead would re-read, on every
        refresh, every row stamped close to it (a bulk import of a million customers in
        one minute would be re-read until the next change)."""
        self.reads[source] = timezone.now()
        marks = [self.meta.get(source), self.meta.get(f"{source}_read_at")]
        if self.full or not any(marks):
            return EPOCH
        newest = max(dt.datetime.fromisoformat(m) for m in marks if m)
        return newest.replace(tzinfo=dt.UTC) - OVERLAP

    def mark(self, source: str, staging: str, column: str = "updated_at") -> None:
        """Note the newest change seen (the freshness check of the 360° figures compares
        with it) and when this read started."""
        top = self.con.execute(f"SELECT max({column}) FROM {staging}").fetchone()[0]  # noqa: S608
        if top is not None:
            self.meta[source] = top.isoformat()
        if source in self.reads:
            read = self.reads[source].astimezone(dt.UTC).replace(tzinfo=None)
            self.meta[f"{source}_read_at"] = read.isoformat()


def as_text(expr: str) -> str:
    """A date or datetime column as the database's own text, for staging: SQLite's driver
    would parse every value into a Python object only for the CSV writer to print it again
    (that doubled the time of a 10M-row read); PostgreSQL's COPY writes text anyway."""
    return expr if connection.vendor == "postgresql" else f"CAST({expr} AS TEXT)"


def stage(
    run: Run,
    name: str,
    cols: list[tuple[str, str]],
    sql: str,
    params: Iterable[Any] = (),
    *,
    append: bool = False,
) -> int:
    """Stream the result of `sql` (operational DB) into DuckDB table `name`: on PostgreSQL
    with `COPY (sql) TO STDOUT` straight into a CSV file (no Python object per row), on
    SQLite through a chunked cursor and Python's csv writer."""
    spec = ", ".join(f"'{c}': '{t}'" for c, t in cols)
    if not append:
        body = ", ".join(f'"{c}" {t}' for c, t in cols)
        run.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({body})")
    path = run.tmp / f"{name}.csv"
    literal = str(path).replace("'", "''")
    load = (
        f"INSERT INTO {name} SELECT * FROM read_csv('{literal}', header=false, "  # noqa: S608
        f"columns={{{spec}}}, quote='\"', escape='\"', nullstr='', "
        "auto_detect=false, strict_mode=false)"
    )
    if connection.vendor == "postgresql":
        _copy_out(run, sql, list(params), path)
        return int(run.con.execute(load).fetchone()[0])
    total = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, list(params))
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                break
            with open(path, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(rows)
            run.con.execute(load)
            total += len(rows)
            extend(run.holder)
    return total


def _copy_out(run: Run, sql: str, params: list[Any], path: Path) -> None:
    """PostgreSQL: the query's rows as CSV into `path` (parameters merged client-side by
    psycopg, as COPY takes none). The lease is renewed after the copy, never during it: the
    connection is busy with the COPY until the last row (10M rows take well under a minute,
    the lease is 15)."""
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with (
        connection.cursor() as cursor,
        open(path, "wb") as fh,
        cursor.cursor.copy(statement, params or None) as copy,
    ):
        for block in copy:
            fh.write(block)
    extend(run.holder)
