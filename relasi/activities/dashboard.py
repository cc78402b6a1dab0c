"""Home page: today's agenda (meetings, calls and tasks due today, overdue ones, visits)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relasi.activities.choices import DueState
from relasi.activities.models import Activity, Visit
from relasi.activities.selectors import day_bounds, state_q
from relasi.core import dashboard

SHOWN = 12


@dashboard.panel
def agenda(user: Any, audiences: set[str]) -> dashboard.Panel | None:
    if dashboard.ADMIN in audiences or not audiences or not user.has_module_perm("activities"):
        return None
    today, tomorrow = day_bounds()
    mine = Activity.objects.filter(owner=user)
    items = list(
        mine.filter(state_q(DueState.TODAY))
        .select_related("customer")
        .order_by("-all_day", "due_at", "pk")[: SHOWN + 1]
    )
    overdue = mine.filter(state_q(DueState.OVERDUE)).count()
    visits = list(
        Visit.objects.filter(owner=user, checked_in_at__gte=today, checked_in_at__lt=tomorrow)
        .select_related("customer")
        .order_by("checked_in_at")[:SHOWN]
    )
    url = reverse("activities:my_tasks")
    return dashboard.Panel(
        _("Today's agenda"),
        "activities/home/_agenda.html",
        {
            "items": items[:SHOWN],
            "more": len(items) > SHOWN,
            "overdue": overdue,
            "overdue_url": f"{url}?state=overdue",
            "today_url": f"{url}?state=today",
            "visits": visits,
        },
        order=10,
        url=reverse("activities:calendar"),
        key="agenda",
    )
