"""The activities panel on the customer's 360° page: the next open activities (with their due
colours) and quick actions — new task, log a call, schedule an appointment, check in.

Registered with `relasi.customers.panels` when that registry exists (see apps.py)."""

from typing import Any

from django.db.models import F
from django.template.loader import render_to_string

from relasi.activities import selectors
from relasi.activities.models import Activity


def customer_panel(request: Any, customer: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.has_module_perm("activities", "view"):
        return ""
    upcoming = list(
        selectors.visible_activities(user, Activity.objects.open().filter(customer_id=customer.pk))
        .select_related("owner")
        .order_by(F("due_at").asc(nulls_last=True), "id")[:3]
    )
    return render_to_string(
        "activities/_customer_panel.html",
        {
            "customer": customer,
            "upcoming": [(a, selectors.due_state(a)) for a in upcoming],
            "state_css": selectors.STATE_CSS,
            "can_add": user.has_module_perm("activities", "add"),
        },
        request=request,
    )
