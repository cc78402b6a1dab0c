"""Points movements on the 360° timeline."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from relasi.customers import timeline
from relasi.loyalty.models import LedgerEntry


@timeline.register("loyalty", _("Loyalty"), "award")
def _entries(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    qs = (
        LedgerEntry.objects.filter(member__customer=customer)
        .select_related("member", "staff", "order")
        .order_by("-occurred_at", "-id")
    )
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    return [
        timeline.Entry(
            at=e.occurred_at,
            kind="loyalty",
            title=f"{e.get_kind_display()} {e.points:+,d}",
            body=" · ".join(str(p) for p in (e.order or "", e.reason) if p),
            actor=str(e.staff or ""),
            url=e.member.get_absolute_url(),
        )
        for e in qs[:limit]
    ]
