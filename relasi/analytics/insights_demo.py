"""Demo event rules for PT XYZ, added after the seeding's mart refresh and checked at once, so
the Events tab and the customers' timelines show alerts out of the box."""

from decimal import Decimal
from typing import Any


def seed(ctx: dict[str, Any]) -> None:
    from relasi.analytics import monitoring
    from relasi.analytics.models_insights import EventKind, EventRule

    rules = [
        ("Pelanggan utama: belanja lewat Rp 300 juta", EventKind.SPEND_PASSES, Decimal(300_000_000), 0, ""),
        ("Juara tidak membeli 60 hari", EventKind.VIP_INACTIVE, Decimal(0), 60, "champions"),
        ("Segmen Juara menyusut 10 %", EventKind.SEGMENT_SHRINKS, Decimal(10), 0, "champions"),
    ]  # fmt: skip
    for name, kind, amount, days, segment in rules:
        EventRule.objects.get_or_create(
            name=name, defaults={"kind": kind, "amount": amount, "days": days, "segment": segment}
        )
    monitoring.evaluate()
