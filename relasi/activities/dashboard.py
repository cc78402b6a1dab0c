"""Home-page cards: my overdue tasks and what is due today."""

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from relasi.activities.choices import DueState
from relasi.activities.models import Activity
from relasi.activities.selectors import state_q
from relasi.core import dashboard


@dashboard.register
def my_activities(user: Any) -> list[dict[str, Any]]:
    if not user.has_module_perm("activities", "view"):
        return []
    counts = Activity.objects.filter(owner=user).aggregate(
        overdue=Count("id", filter=state_q(DueState.OVERDUE)),
        today=Count("id", filter=state_q(DueState.TODAY)),
    )
    url = reverse("activities:my_tasks")
    return [
        {
            "label": _("My overdue activities"),
            "value": counts["overdue"],
            "url": f"{url}?state=overdue",
            "note": _("Tasks, calls and meetings past their time"),
        },
        {"label": _("Due today"), "value": counts["today"], "url": f"{url}?state=today"},
    ]
