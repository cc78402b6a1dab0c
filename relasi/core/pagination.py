"""Keyset (cursor) pagination and capped counts.

`OFFSET n` costs time proportional to n and an exact COUNT(*) per request costs 38x throughput
on a million rows (ARCHITECTURE.md), so lists page by cursor: the sort value and primary key of
the last row seen. Counts are exact up to COUNT_CAP, then shown as "10,000+".
"""

import base64
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

COUNT_CAP = 10_000


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None


def _encode(values: list[Any]) -> str:
    def conv(v: Any) -> Any:
        if isinstance(v, dt.datetime | dt.date):
            return {"$d": v.isoformat(), "t": "dt" if isinstance(v, dt.datetime) else "d"}
        if isinstance(v, Decimal):
            return {"$n": str(v)}
        return v

    raw = json.dumps([conv(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != 2:
        return None
    out: list[Any] = []
    for v in values:
        if isinstance(v, dict) and "$d" in v:
            parse = dt.datetime.fromisoformat if v.get("t") == "dt" else dt.date.fromisoformat
            try:
                v = parse(v["$d"])
            except (TypeError, ValueError):
                return None
        elif isinstance(v, dict) and "$n" in v:
            v = Decimal(str(v["$n"]))
        elif isinstance(v, dict | list):
            return None
        out.append(v)
    return out


def _resolve(obj: Any, path: str) -> Any:
    if isinstance(obj, dict):  # rows from .values()
        return obj["id"] if path == "pk" else obj.get(path)
    for part in path.split("__"):
        obj = getattr(obj, part, None)
    return obj


def paginate(
    queryset: models.QuerySet,
    *,
    order: str = "-pk",
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Page:
    """One page of `queryset` ordered by `order` (a non-null field, optionally '-'), pk as tiebreak."""
    desc = order.startswith("-")
    field = order.lstrip("-")
    limit = max(1, min(limit, 500))
    cursor = _decode(after) if after else (_decode(before) if before else None)
    backwards = bool(before) and cursor is not None
    forward_desc = desc != backwards  # when paging backwards, flip the direction
    if cursor is not None:
        value, pk = cursor
        if field == "pk":
            queryset = queryset.filter(**{f"pk__{'lt' if forward_desc else 'gt'}": pk})
        else:
            # A row-value comparison, (field, id) > (value, pk), walks the (field, id) index
            # directly on PostgreSQL and SQLite; the OR-expanded form makes PostgreSQL scan.
            lookup = TupleLessThan if forward_desc else TupleGreaterThan
            queryset = queryset.filter(lookup(Tuple(F(field), F("pk")), (value, pk)))
    ordering = [f"-{field}" if forward_desc else field]
    if field != "pk":
        ordering.append("-pk" if forward_desc else "pk")
    rows = list(queryset.order_by(*ordering)[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()

    def key(obj: Any) -> str:
        pk = _resolve(obj, "pk")
        return _encode([pk if field == "pk" else _resolve(obj, field), pk])

    if not rows:
        return Page([], None, None)
    next_cursor: str | None
    prev_cursor: str | None
    if backwards:
        next_cursor = key(rows[-1])
        prev_cursor = key(rows[0]) if has_more else None
    else:
        next_cursor = key(rows[-1]) if has_more else None
        prev_cursor = key(rows[0]) if cursor is not None else None
    return Page(rows, next_cursor, prev_cursor)


def capped_count(queryset: models.QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, exact): counts at most cap+1 rows, so it stays cheap on huge tables."""
    n = queryset.order_by()[: cap + 1].count()
    return (min(n, cap), n <= cap)
