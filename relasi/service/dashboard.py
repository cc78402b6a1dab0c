"""Home-page cards for agents: my open tickets, SLA at risk, unread alerts."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from relasi.core import dashboard
from relasi.service.choices import ACTIVE
from relasi.service.models import Alert, Ticket


@dashboard.register
def my_tickets(user: Any) -> list[dict[str, Any]]:
    if not user.has_module_perm("service", "view"):
        return []
    from relasi.service.actions.escalation import at_risk

    url = reverse("service:ticket_list")
    mine = Ticket.objects.filter(owner=user, status__in=ACTIVE).count()
    if not mine and not user.service_queues.exists():
        return []
    cards = [
        {"label": _("My open tickets"), "value": mine, "url": f"{url}?assigned=me"},
        {
            "label": _("SLA at risk"),
            "value": at_risk(user).count(),
            "url": f"{url}?assigned=me&sla=at_risk",
            "note": _("Your tickets near or past a first-response or resolution target"),
        },
    ]
    unread = Alert.objects.filter(user=user, read_at__isnull=True).count()
    if unread:
        cards.append(
            {"label": _("Service alerts"), "value": unread, "url": reverse("service:alerts")}
        )
    return cards
