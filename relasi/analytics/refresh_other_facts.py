"""Mart loaders for the optional facts: service tickets and activities. Each is skipped when
its app or table is missing, and reads `NULL` for a field the model no longer has, so an
evolving source never breaks the refresh."""

from django.db import connection

from relasi.analytics.refresh_base import (
    Run,
    as_text,
    column,
    db_value,
    optional_model,
    quoted_table,
    stage,
)


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
    exprs = ", ".join(as_text(e) if t in ("TIMESTAMP", "DATE") else e for _n, t, e in select)
    table = quoted_table(model)
    updated = column(model, "updated_at", "s")
    where = f"{updated} >= %s" if updated != "NULL" else "1 = 1"
    try:
        n = stage(
            run,
            f"stg_{fact}",
            cols,
            f"SELECT {exprs} FROM {table} s WHERE {where}",  # noqa: S608
            [db_value(run.since(source))] if updated != "NULL" else [],
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
            ("customer_id", "BIGINT", column(m, "customer", "s")),
            ("owner_id", "BIGINT", column(m, "owner", "s")),
            ("team_id", "BIGINT", column(m, "team", "s")),
            ("channel", "VARCHAR", column(m, "channel", "s")),
            ("priority", "VARCHAR", column(m, "priority", "s")),
            ("status", "VARCHAR", column(m, "status", "s")),
            ("created_at", "TIMESTAMP", column(m, "created_at", "s")),
            ("first_responded_at", "TIMESTAMP", column(m, "first_responded_at", "s")),
            ("resolved_at", "TIMESTAMP", column(m, "resolved_at", "s")),
            ("frm", "DOUBLE", column(m, "first_response_minutes", "s")),
            ("rm", "DOUBLE", column(m, "resolution_minutes", "s")),
            ("fcr", "BOOLEAN", column(m, "fcr", "s")),
            ("updated_at", "TIMESTAMP", column(m, "updated_at", "s")),
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
            ("customer_id", "BIGINT", column(m, "customer", "s")),
            ("owner_id", "BIGINT", column(m, "owner", "s")),
            ("team_id", "BIGINT", column(m, "team", "s")),
            ("kind", "VARCHAR", column(m, "kind", "s")),
            ("status", "VARCHAR", column(m, "status", "s")),
            ("due_at", "TIMESTAMP", column(m, "due_at", "s")),
            ("done_at", "TIMESTAMP", column(m, "done_at", "s")),
            ("created_at", "TIMESTAMP", column(m, "created_at", "s")),
            ("duration", "DOUBLE", column(m, "duration_minutes", "s")),
            ("updated_at", "TIMESTAMP", column(m, "updated_at", "s")),
        ],
        "SELECT id, customer_id, owner_id, team_id, kind, status, due_at, done_at, "  # noqa: S608
        f"CAST(COALESCE(due_at, created_at) + INTERVAL {off} SECOND AS DATE), duration, "
        "updated_at FROM stg_fact_activity",
    )
