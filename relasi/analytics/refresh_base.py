"""The machinery every mart loader shares: the refresh lease (`MartLock`), the `Run` being
built, and `stage()`, which streams an operational query into a DuckDB staging table.

Rows are pulled with raw cursors in chunks (a server-side cursor on PostgreSQL), written to a
temporary CSV and loaded by DuckDB's CSV reader: never an ORM object per row (DuckDB's own
`executemany` manages ~500 rows/s; the CSV path ~500,000 rows/s)."""

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
