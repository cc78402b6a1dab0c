"""`manage.py move_to_postgres postgres://…`: copy an existing install (the database this
process is configured with, normally the SQLite file) into an empty PostgreSQL database, table by
table in dependency order, in chunks, without building ORM objects; then reset the sequences and
compare row counts and per-table checksums. The source is only read.

Afterwards set DATABASE_URL to the PostgreSQL URL and restart the app and the workers.
"""

import datetime as dt
import hashlib
import json
import time
from typing import Any

import environ
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connections, models

CHUNK = 5000
TARGET = "move_target"


def _ordered_models() -> list[type[models.Model]]:
    """Concrete, managed models with their tables, parents before children (FK order)."""
    pending = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    done: list[type[models.Model]] = []
    seen: set[str] = set()
    while pending:
        progressed = False
        for model in list(pending):
            deps = {
                f.related_model._meta.db_table
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not None and f.related_model is not model
            }
            if deps <= seen | {model._meta.db_table}:
                done.append(model)
                seen.add(model._meta.db_table)
                pending.remove(model)
                progressed = True
        if not progressed:  # a cycle (nullable FKs both ways): load the rest, FKs are deferred
            done.extend(pending)
            break
    return done


class Command(BaseCommand):
    help = "Copy this Relasi database into an empty PostgreSQL database and verify every table."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "url", help="postgres://user:password@host:5432/name (an empty database)"
        )

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        config = environ.Env.db_url_config(url)
        if "postgresql" not in config["ENGINE"]:
            raise CommandError("The target must be a PostgreSQL URL.")
        connections.settings[TARGET] = connections.configure_settings({"default": config})[
            "default"
        ]
        source, target = connections["default"], connections[TARGET]
        start = time.monotonic()
        with target.cursor() as cur:
            cur.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
            if cur.fetchone()[0]:
                raise CommandError("The target database is not empty; create a new, empty one.")
        self.stdout.write("Creating the schema on the target …")
        call_command("migrate", database=TARGET, interactive=False, verbosity=0)
        call_command("createcachetable", database=TARGET, verbosity=0)
        ordered = _ordered_models()
        tables = ", ".join(f'"{m._meta.db_table}"' for m in ordered)
        with target.cursor() as cur:
            # Rows that migrations created (roles, content types, …) are replaced by the source's.
            cur.execute(f"TRUNCATE {tables} CASCADE")
        copied = {m._meta.db_table: self._copy(source, target, m) for m in ordered}
        with target.cursor() as cur:
            for sql in target.ops.sequence_reset_sql(no_style(), ordered):
                cur.execute(sql)
        self.stdout.write("Verifying row counts and checksums …")
        bad = [
            m._meta.db_table for m in ordered if self._digest(source, m) != self._digest(target, m)
        ]
        if bad:
            raise CommandError(f"Verification failed for: {', '.join(bad)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied {sum(copied.values()):,} rows in {len(copied)} tables in "
                f"{time.monotonic() - start:.1f} s; every table's rows and checksum match. "
                "Now set DATABASE_URL to the new database and restart Relasi and its workers."
            )
        )

    def _copy(self, source: Any, target: Any, model: type[models.Model]) -> int:
        table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        quoted = ", ".join(f'"{f.column}"' for f in fields)
        convert = [_converters(f, model, source) for f in fields]
        n = 0
        with source.cursor() as s_cur:
            s_cur.execute(f'SELECT {quoted} FROM "{table}"')  # noqa: S608 - identifiers from the model registry
            with (
                target.cursor() as t_cur,
                t_cur.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy,
            ):
                while rows := s_cur.fetchmany(CHUNK):
                    for row in rows:
                        copy.write_row(
                            [
                                _for_copy(f, c(v))
                                for f, c, v in zip(fields, convert, row, strict=True)
                            ]
                        )
                    n += len(rows)
        if n:
            self.stdout.write(f"  {table}: {n:,}")
        return n

    @staticmethod
    def _digest(conn: Any, model: type[models.Model]) -> str:
        fields = list(model._meta.concrete_fields)
        convert = [_converters(f, model, conn) for f in fields]
        quoted = ", ".join(f'"{f.column}"' for f in fields)
        digest = hashlib.sha256()
        with conn.cursor() as cur:
            cur.execute(f'SELECT {quoted} FROM "{model._meta.db_table}" ORDER BY 1')  # noqa: S608 - identifiers from the model registry
            while rows := cur.fetchmany(CHUNK):
                for row in rows:
                    digest.update(
                        repr([_canonical(c(v)) for c, v in zip(convert, row, strict=True)]).encode()
                    )
        return digest.hexdigest()


def _converters(field: models.Field, model: type[models.Model], conn: Any) -> Any:
    """The ORM's own value conversion for this field on this connection."""
    expression = field.get_col(model._meta.db_table)
    funcs = conn.ops.get_db_converters(expression) + field.get_db_converters(conn)

    def convert(value: Any) -> Any:
        for func in funcs:
            value = func(value, expression, conn)
        return value

    return convert


def _for_copy(field: models.Field, value: Any) -> Any:
    if value is not None and isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bool):
        return int(value)
    return None if value is None else str(value)
