import datetime as dt
from typing import Any

from django.utils import timezone

from relasi.activities import actions
from relasi.activities.choices import Kind
from relasi.activities.models import Activity


def task(actor: Any, title: str = "Follow up", **kw: Any) -> Activity:
    remind = kw.pop("remind_minutes", None)
    data = {"kind": Kind.TASK, "title": title, **kw}
    return actions.create_activity(actor, data, remind_minutes=remind)


def meeting(actor: Any, customer: Any, title: str = "Demo at the office", **kw: Any) -> Activity:
    start = kw.pop("due_at", timezone.now() + dt.timedelta(days=2))
    attendees = kw.pop("attendees", None)
    remind = kw.pop("remind_minutes", None)
    remind_customer = kw.pop("remind_customer_minutes", None)
    data = {
        "kind": Kind.APPOINTMENT,
        "title": title,
        "customer": customer,
        "due_at": start,
        "ends_at": start + dt.timedelta(hours=1),
        "location": "Jl. Sudirman 1, Jakarta",
        **kw,
    }
    return actions.create_activity(
        actor,
        data,
        attendees=attendees,
        remind_minutes=remind,
        remind_customer_minutes=remind_customer,
    )


def call(actor: Any, customer: Any, **kw: Any) -> Activity:
    data = {
        "kind": Kind.CALL,
        "title": "Call",
        "customer": customer,
        "status": "done",
        "direction": "outbound",
        "outcome": "connected",
        "duration_minutes": 4,
        **kw,
    }
    return actions.create_activity(actor, data)
