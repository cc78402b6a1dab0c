"""Raw bulk writes for imports: pre-allocated ids and one `executemany` (SQLite) or `COPY`
(PostgreSQL) per table per chunk, never an ORM object per row. Table and column names come
from model metadata (constants); values are always parameters."""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys. Must run inside the chunk's transaction (on SQLite that holds
    the IMMEDIATE write lock, so nobody else can take the same ids)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608 - constant
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
    return list(range(start, start + n))


def columns(model: type[models.Model]) -> tuple[list[str], list[Any], dict[str, int]]:
    """(column names, a DB-ready default row, attname -> position) for a model's table."""
    names: list[str] = []
    defaults: list[Any] = []
    for f in model._meta.concrete_fields:
        names.append(str(f.column))
        if f.default is not NOT_PROVIDED:
            value = f.get_default()
        elif f.null:
            value = None
        else:
            value = ""
        defaults.append(adapt(value))
    return names, defaults, {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}


def adapt(value: Any) -> Any:
    """A Python value in the form the raw driver stores for Django (JSON as text, datetimes
    as Django's SQLite text format or a real timestamp on PostgreSQL)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value if is_postgres() else connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value if is_postgres() else value.isoformat()
    return value


def insert(model: type[models.Model], cols: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = model._meta.db_table
    col_sql = ", ".join(f'"{c}"' for c in cols)
    with connection.cursor() as cursor:
        if is_postgres():
            with cursor.cursor.copy(f'COPY "{table}" ({col_sql}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(cols))
        cursor.executemany(
            f'INSERT INTO "{table}" ({col_sql}) VALUES ({marks})',  # noqa: S608 - constants
            rows if isinstance(rows, list) else list(rows),
        )


def fts_insert(pairs: list[tuple[int, str]]) -> None:
    """Add rows to the SQLite FTS5 customer index (PostgreSQL indexes search_text itself)."""
    if is_postgres() or not pairs:
        return
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO customers_search(rowid, text) VALUES (%s, %s)", pairs)


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
