"""Conversation KPIs for the service dashboard (a panel the service app shows without knowing
this app: customers.panels "service_dashboard").

- First response met % = conversations first answered in the period whose first reply came by
  its due time ÷ conversations first answered in the period (with a due time) × 100.
- Average first response = mean business minutes (the service app's default calendar) from the
  customer's first message to our first reply, over conversations first answered in the period.
- Open now / waiting on us / SLA breached now: counts at the time the page is shown."""

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from relasi.conversations.models import Conversation
from relasi.core.access import visible_to
from relasi.customers import panels
from relasi.service import businesstime as bt
from relasi.service.kpis import bounds
from relasi.service.sla import calendar_for

SAMPLE = 5000  # the business-time mean is computed over at most this many conversations


def conversation_kpis(
    start: dt.date, end: dt.date, *, user: Any = None, team: Any = None
) -> dict[str, Any]:
    lo, hi = bounds(start, end)
    base: QuerySet = Conversation.objects.all()
    if user is not None:
        base = visible_to(user, base)
    if team is not None:
        base = base.filter(team=team)
    answered = base.filter(first_responded_at__gte=lo, first_responded_at__lt=hi)
    with_due = answered.filter(first_response_due__isnull=False)
    total_due = with_due.count()
    met = with_due.filter(first_responded_at__lte=F("first_response_due")).count()
    cal = calendar_for(None)
    minutes = []
    for created, responded in answered.values_list("created_at", "first_responded_at")[:SAMPLE]:
        minutes.append(bt.business_minutes_between(cal, created, responded))
    now = timezone.now()
    return {
        "started": base.filter(created_at__gte=lo, created_at__lt=hi).count(),
        "answered": answered.count(),
        "first_response_met": {
            "met": met,
            "total": total_due,
            "percent": round(met * 100 / total_due, 1) if total_due else None,
        },
        "first_response_minutes": round(sum(minutes) / len(minutes), 1) if minutes else None,
        "open_now": base.active().count(),  # type: ignore[attr-defined]
        "waiting_now": base.waiting_on_us().count(),  # type: ignore[attr-defined]
        "breached_now": base.sla_breached(now).count(),  # type: ignore[attr-defined]
        "negative": base.filter(
            Q(sentiment="negative"), last_inbound_at__gte=lo, last_inbound_at__lt=hi
        ).count(),
    }


@panels.register("service_dashboard")
def _dashboard_panel(request: Any, filters: Any) -> str:
    if not request.user.has_module_perm("conversations", "view"):
        return ""
    k = conversation_kpis(
        filters["start"], filters["end"], user=request.user, team=filters.get("team")
    )
    text = (
        bt.format_duration(k["first_response_minutes"])
        if k["first_response_minutes"] is not None
        else "—"
    )
    return render_to_string(
        "conversations/_service_kpis.html", {"k": k, "frt_text": text}, request=request
    )
