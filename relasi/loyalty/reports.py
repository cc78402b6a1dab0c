"""The liability report: points outstanding, their rupiah value and when they expire, by
programme and by the members' home store."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from relasi.loyalty import expiry
from relasi.loyalty.models import Member, Programme


@dataclass
class StoreRow:
    store_id: int | None
    store: str
    members: int
    points: int
    value: Decimal


@dataclass
class ProgrammeLiability:
    programme: Programme
    members: int
    points: int
    value: Decimal
    stores: list[StoreRow] = field(default_factory=list)
    schedule: list[tuple[Any, int, Decimal]] = field(default_factory=list)


def liability(members: Any = None, programmes: Any = None) -> list[ProgrammeLiability]:
    """`members`: the members the reader may see (visible_to); the report sums only those."""
    members = Member.objects.all() if members is None else members
    out = []
    for p in programmes if programmes is not None else Programme.objects.all():
        mine = members.filter(programme=p)
        rows = (
            mine.values("home_store_id", "home_store__name")
            .annotate(n=Count("pk"), points=Sum("balance"))
            .order_by("home_store__name")
        )
        stores = [
            StoreRow(
                r["home_store_id"],
                r["home_store__name"] or "",
                r["n"],
                int(r["points"] or 0),
                Decimal(int(r["points"] or 0)) * p.point_value,
            )
            for r in rows
        ]
        total = sum(s.points for s in stores)
        sched = [
            (month, pts, Decimal(pts) * p.point_value)
            for month, pts in expiry.schedule(p, members=mine)
        ] if mine.filter(~Q(balance=0)).exists() else []  # fmt: skip
        out.append(
            ProgrammeLiability(
                p,
                sum(s.members for s in stores),
                total,
                Decimal(total) * p.point_value,
                stores,
                sched,
            )
        )
    return out
