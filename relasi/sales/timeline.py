"""The sales entries of a customer's 360° timeline: deals (created, stage moves), quotes
(issued, sent) and the history of the lead the customer was converted from."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relasi.core.formatting import money
from relasi.customers import timeline
from relasi.customers.timeline import Entry


def _older(qs: Any, field: str, before: dt.datetime | None) -> Any:
    return qs.filter(**{f"{field}__lt": before}) if before else qs


@timeline.register("deal", _("Deals"), icon="briefcase")
def deals(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from relasi.sales.models import Deal, DealStageChange

    mine = Q(deal__customer=customer) | Q(deal__organization=customer)
    moves = _older(
        DealStageChange.objects.filter(mine).select_related("deal", "from_stage", "to_stage", "by"),
        "at",
        before,
    ).order_by("-at", "-id")[:limit]
    out = []
    for c in moves:
        d: Deal = c.deal
        if c.from_stage_id is None:
            title = str(_("Deal opened: %(name)s") % {"name": d.name})
        else:
            title = str(
                _("Deal %(name)s: %(from)s → %(to)s")
                % {"name": d.name, "from": c.from_stage, "to": c.to_stage}
            )
        out.append(
            Entry(
                c.at,
                "deal",
                title,
                money(d.value, d.currency),
                str(c.by or ""),
                url=reverse("sales:deal_detail", args=[d.pk]),
            )
        )
    return out


@timeline.register("quote", _("Quotes"), icon="file-earmark-text")
def quotes(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from relasi.sales.models import Quote

    qs = Quote.objects.filter(Q(customer=customer) | Q(deal__organization=customer)).select_related(
        "owner"
    )
    created = _older(qs, "created_at", before).order_by("-created_at")[:limit]
    sent = _older(qs.filter(sent_at__isnull=False), "sent_at", before).order_by("-sent_at")[:limit]
    out = [
        Entry(
            q.created_at,
            "quote",
            str(_("Quote %(number)s issued") % {"number": q}),
            money(q.total, q.currency),
            str(q.owner or ""),
            url=reverse("sales:quote_detail", args=[q.pk]),
        )
        for q in created
    ]
    out += [
        Entry(
            q.sent_at,
            "quote",
            str(_("Quote %(number)s sent to %(to)s") % {"number": q, "to": q.sent_to}),
            money(q.total, q.currency),
            str(q.owner or ""),
            url=reverse("sales:quote_detail", args=[q.pk]),
        )
        for q in sent
    ]
    out.sort(reverse=True)
    return out[:limit]


@timeline.register("lead", _("Lead history"), icon="funnel")
def lead_history(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from relasi.sales.models import LeadEvent

    qs = LeadEvent.objects.filter(
        Q(lead__converted_customer=customer) | Q(lead__converted_organization=customer)
    ).select_related("actor", "lead")
    qs = _older(qs, "at", before).order_by("-at", "-id")[:limit]
    return [
        Entry(
            e.at,
            "lead",
            f"{_('Lead')}: {e.get_kind_display()}",
            e.message,
            str(e.actor or ""),
            url=reverse("sales:lead_detail", args=[e.lead_id]),
        )
        for e in qs
    ]
