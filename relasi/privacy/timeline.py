"""Consent changes on the 360° timeline."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from relasi.customers import timeline


@timeline.register("consent", _("Consent"), "shield-check")
def _consents(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    qs = customer.consent_events.select_related("purpose", "actor").order_by("-occurred_at", "-id")
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    return [
        timeline.Entry(
            at=e.occurred_at,
            kind="consent",
            title=f"{e.purpose.label} · {e.get_channel_display()}: {e.get_status_display()}",
            body=" · ".join(str(p) for p in (e.get_source_display(), e.evidence) if p),
            actor=str(e.actor or ""),
        )
        for e in qs[:limit]
    ]
