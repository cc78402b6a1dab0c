"""The service entries of a customer's 360° timeline: tickets and survey answers."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relasi.customers import timeline
from relasi.customers.timeline import Entry


def _older(qs: Any, field: str, before: dt.datetime | None) -> Any:
    return qs.filter(**{f"{field}__lt": before}) if before else qs


@timeline.register("ticket", _("Tickets"), icon="life-preserver")
def tickets(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from relasi.service.models import Ticket

    qs = _older(
        Ticket.objects.filter(customer=customer).select_related("ticket_type", "owner"),
        "created_at",
        before,
    ).order_by("-created_at", "-id")[:limit]
    return [
        Entry(
            t.created_at,
            "ticket",
            str(
                _("%(type)s %(number)s: %(subject)s")
                % {"type": t.ticket_type, "number": t.number, "subject": t.subject}
            ),
            str(
                _("Status: %(status)s · %(channel)s")
                % {"status": t.get_status_display(), "channel": t.get_channel_display()}
            ),
            str(t.owner or ""),
            url=reverse("service:ticket_detail", args=[t.pk]),
        )
        for t in qs
    ]


@timeline.register("survey", _("Surveys"), icon="emoji-smile")
def surveys(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from relasi.service.models import Survey

    qs = _older(
        Survey.objects.filter(customer=customer, responded_at__isnull=False).select_related(
            "ticket"
        ),
        "responded_at",
        before,
    ).order_by("-responded_at", "-id")[:limit]
    out = []
    for s in qs:
        if s.kind == "nps":
            title = str(_("NPS answer: %(score)s / 10") % {"score": s.nps})
        else:
            title = str(_("Satisfaction: %(csat)s / 5") % {"csat": s.csat})
            if s.ces is not None:
                title += " · " + str(_("effort %(ces)s / 7") % {"ces": s.ces})
        url = reverse("service:ticket_detail", args=[s.ticket_id]) if s.ticket_id else ""
        out.append(Entry(s.responded_at, "survey", title, s.comment, "", url=url))
    return out
