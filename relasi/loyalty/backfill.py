"""Programme launch: earn for the members' historical orders in bulk.

The same arithmetic as `actions.sync_order` (rules.RuleBook), but a chunk of orders at a time:
orders, lines and returns read as tuples, entries written with one parameterised
`executemany` per chunk and the balances moved by one statement per member, all in the
chunk's transaction. Orders that already have entries are skipped (and their reference
`order:<id>:1` is the one sync_order uses), so running it again, or after a crash, posts
only what is missing."""

import json
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from relasi.commerce.models import Order, OrderLine, ReturnLine
from relasi.loyalty import rules
from relasi.loyalty.actions import EARNING_STATUSES
from relasi.loyalty.choices import EntryKind
from relasi.loyalty.models import LedgerEntry, Member, Programme

COLUMNS = (
    "programme_id", "member_id", "kind", "points", "amount", "occurred_at", "expires_at",
    "order_id", "store_id", "staff_id", "reason", "reverses_id", "counterpart_id",
    "external_ref", "meta", "created_at",
)  # fmt: skip


def insert_sql() -> str:
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    return f"INSERT INTO {q(LedgerEntry._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608 - names from the model


def balance_sql() -> str:
    q = connection.ops.quote_name
    table = q(Member._meta.db_table)
    return f"UPDATE {table} SET {q('balance')} = {q('balance')} + %s WHERE {q('id')} = %s"  # noqa: S608


def write(rows: list[tuple], balances: dict[int, int]) -> None:
    with connection.cursor() as cur:
        cur.executemany(insert_sql(), rows)
        cur.executemany(balance_sql(), [(pts, mid) for mid, pts in balances.items()])


def backfill(programme: Programme, chunk: int = 5000) -> dict[str, int]:
    """Earn for every earning order of the programme's members not yet in the ledger."""
    book = rules.RuleBook(programme)
    members = {
        cid: (mid, dob)
        for mid, cid, dob in Member.objects.filter(programme=programme).values_list(
            "pk", "customer_id", "customer__date_of_birth"
        )
    }
    earned = set(
        LedgerEntry.objects.filter(programme=programme, kind=EntryKind.EARN)
        .values_list("member_id", flat=True)
        .distinct()
    )
    done = set(
        LedgerEntry.objects.filter(programme=programme, order__isnull=False).values_list(
            "order_id", flat=True
        )
    )
    orders = (
        Order.objects.filter(
            customer_id__in=list(members),
            status__in=EARNING_STATUSES,
            order_date__gte=programme.starts_on,
        )
        .order_by("ordered_at", "pk")
        .values_list("pk", "customer_id", "ordered_at", "store_id", "total", "returned_total")
    )
    stats = {"orders": 0, "entries": 0, "points": 0}
    batch: list[tuple] = []
    for row in orders.iterator(chunk_size=chunk):
        if row[0] in done:
            continue
        batch.append(row)
        if len(batch) >= chunk:
            _chunk(programme, book, members, earned, batch, stats)
            batch = []
    if batch:
        _chunk(programme, book, members, earned, batch, stats)
    return stats


def _chunk(
    programme: Programme,
    book: rules.RuleBook,
    members: dict[int, tuple[int, Any]],
    earned: set[int],
    batch: list[tuple],
    stats: dict[str, int],
) -> None:
    ids = [r[0] for r in batch]
    lines: dict[int, list[tuple[int, Decimal, int | None, int | None]]] = {}
    for lid, oid, total, pid, cat in OrderLine.objects.filter(order_id__in=ids).values_list(
        "pk", "order_id", "line_total", "product_id", "product__category_id"
    ):
        lines.setdefault(oid, []).append((lid, total, pid, cat))
    returned = dict(
        ReturnLine.objects.filter(order_line__order_id__in=ids)
        .values("order_line_id")
        .annotate(s=Sum("amount"))
        .values_list("order_line_id", "s")
    )
    now = timezone.now()
    expiries: dict[Any, Any] = {}  # expiry depends on the local day only
    rows: list[tuple] = []
    balances: dict[int, int] = {}
    for oid, cid, at, store_id, total, ret in batch:
        mid, dob = members[cid]
        local = timezone.localtime(at)
        quote = book.quote(
            [
                rules.Line(amount - (returned.get(lid) or Decimal(0)), pid, cat)
                for lid, amount, pid, cat in lines.get(oid, [])
            ],
            local.date(),
            birthday_month=bool(dob and dob.month == local.month),
            first=mid not in earned,
        )
        if quote.points <= 0:
            continue
        earned.add(mid)
        day = local.date()
        if day not in expiries:
            expiries[day] = rules.expiry_for(programme, at)
        rows.append((
            programme.pk, mid, EntryKind.EARN, quote.points, total - ret, at,
            expiries[day], oid, store_id, None, "", None, None,
            f"order:{oid}:1", json.dumps({"target": quote.points, "backfill": True}), now,
        ))  # fmt: skip
        balances[mid] = balances.get(mid, 0) + quote.points
    with transaction.atomic():
        write(rows, balances)
    stats["orders"] += len(batch)
    stats["entries"] += len(rows)
    stats["points"] += sum(balances.values())
