"""Test data for the service app: agents, queues, tickets."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from relasi.core.testing import make_user
from relasi.customers.tests.factories import person
from relasi.service import actions
from relasi.service.models import BusinessHours, Queue, SLAPolicy, Ticket, TicketType

WIB = ZoneInfo("Asia/Jakarta")


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB)


def ttype(key: str = "question") -> TicketType:
    return TicketType.objects.get(key=key)


def agents(personas: Any) -> tuple[Any, Any, Any]:
    """Two service agents in team A (reporting to the manager) and one in team B."""
    a1 = make_user("agent_a1", "service", personas.team_a, personas.manager)
    a2 = make_user("agent_a2", "service", personas.team_a, personas.manager)
    b1 = make_user("agent_b1", "service", personas.team_b)
    return a1, a2, b1


def queue(
    name: str, team: Any, members: list[Any], strategy: str = "round_robin", **kw: Any
) -> Queue:
    if kw.get("is_default"):
        Queue.objects.update(is_default=False)
    q = Queue.objects.create(name=name, team=team, strategy=strategy, **kw)
    q.agents.set(members)
    return q


def office_hours() -> BusinessHours:
    return BusinessHours.objects.get(is_default=True)


def only_policy(first: int = 60, resolve: int = 480, **kw: Any) -> SLAPolicy:
    """Replace the default policies with one simple policy (targets in business minutes)."""
    SLAPolicy.objects.all().delete()
    return SLAPolicy.objects.create(
        name="Test",
        first_response_minutes=first,
        resolution_minutes=resolve,
        calendar=office_hours(),
        **kw,
    )


def ticket(actor: Any, customer: Any = None, **data: Any) -> Ticket:
    customer = customer or person(actor)
    data.setdefault("ticket_type", ttype(data.pop("type", "question")))
    data.setdefault("subject", "Rice cooker tidak panas")
    data.setdefault("description", "Nasi tidak matang sejak kemarin.")
    data.setdefault("channel", "phone")
    route = data.pop("route", True)
    notify = data.pop("notify", False)
    return actions.create_ticket(actor, customer, data, route=route, notify=notify)
