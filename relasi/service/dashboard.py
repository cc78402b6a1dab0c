"""Home page: the agent's queue (my open tickets, unassigned ones, near breach) and, for
managers, the team's SLA risk. Every list is scoped by the access layer."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core import dashboard
from relasi.core.access import visible_to
from relasi.service.choices import ACTIVE, Status
from relasi.service.models import Alert, Ticket

SHOWN = 5


def _risk(now: dt.datetime) -> Q:
    """Past a warning time with the response or resolution still owed (the list's "at risk")."""
    return Q(first_responded_at__isnull=True, first_response_warn_at__lte=now) | Q(
        resolved_at__isnull=True, resolution_warn_at__lte=now
    )


def _over(now: dt.datetime) -> Q:
    return (
        Q(first_responded_at__isnull=True, first_response_due__lt=now)
        | Q(resolved_at__isnull=True, resolution_due__lt=now)
        | Q(first_response_breached=True)
        | Q(resolution_breached=True)
    )


def _running(user: Any) -> QuerySet[Ticket]:
    qs = Ticket.objects.filter(status__in=ACTIVE, merged_into__isnull=True)
    return visible_to(user, qs.exclude(status=Status.PENDING))


def _rows(qs: QuerySet[Ticket], now: dt.datetime, n: int = SHOWN) -> list[dict[str, Any]]:
    tickets = qs.select_related("customer", "owner").order_by("resolution_due", "pk")[:n]
    rows = []
    for t in tickets:
        due = t.first_response_due if t.first_responded_at is None else t.resolution_due
        rows.append({"t": t, "due": due, "over": due is not None and due < now})
    return rows


@dashboard.panel
def service_queue(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.SERVICE not in audiences or not user.has_module_perm("service"):
        return None
    now = timezone.now()
    active = visible_to(user, Ticket.objects.filter(status__in=ACTIVE, merged_into__isnull=True))
    mine = active.filter(owner=user)
    queues = list(user.service_queues.values_list("pk", flat=True))
    unassigned = active.filter(owner__isnull=True)
    if queues:
        unassigned = unassigned.filter(queue__in=queues)
    near = _running(user).filter(owner=user).filter(_risk(now) | _over(now))
    counts = active.aggregate(
        mine=Count("pk", filter=Q(owner=user)),
        unassigned=Count(
            "pk", filter=Q(owner__isnull=True) & (Q(queue__in=queues) if queues else Q())
        ),
    )
    url = reverse("service:ticket_list")
    return dashboard.Panel(
        _("My service queue"),
        "service/home/_queue.html",
        {
            "mine": _rows(mine, now),
            "mine_count": counts["mine"],
            "mine_url": f"{url}?assigned=me&open=true",
            "unassigned": _rows(unassigned, now),
            "unassigned_count": counts["unassigned"],
            "unassigned_url": f"{url}?assigned=none&open=true",
            "near": _rows(near, now),
            "near_count": near.count(),
            "near_url": f"{url}?assigned=me&sla=at_risk",
            "alerts": Alert.objects.filter(user=user, read_at__isnull=True).count(),
            "alerts_url": reverse("service:alerts"),
        },
        order=20,
        url=f"{url}?assigned=me",
        key="service",
    )


@dashboard.panel
def sla_risk(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.MANAGER not in audiences or not user.has_module_perm("service"):
        return None
    now = timezone.now()
    risky = _running(user).filter(_risk(now) | _over(now))
    counts = risky.aggregate(all=Count("pk"), over=Count("pk", filter=_over(now)))
    url = reverse("service:ticket_list")
    return dashboard.Panel(
        _("SLA risk"),
        "service/home/_sla_risk.html",
        {
            "rows": _rows(risky, now, 8),
            "near_count": counts["all"] - counts["over"],
            "over_count": counts["over"],
            "near_url": f"{url}?sla=at_risk",
            "over_url": f"{url}?sla=breached&open=true",
        },
        order=30,
        url=f"{url}?sla=at_risk",
        key="sla",
    )
