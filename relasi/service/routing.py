"""Routing: the first matching rule sends a new ticket to a queue (and may set its priority);
the queue's strategy then picks an agent (round-robin or least loaded)."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from relasi.service.choices import ACTIVE, RoutingStrategy
from relasi.service.models import Queue, RoutingRule, Ticket


@dataclass
class Route:
    queue: Queue | None
    agent: Any = None
    priority: str = ""
    rule: RoutingRule | None = None


def rule_matches(rule: RoutingRule, ticket: Ticket, tag_ids: set[int]) -> bool:
    if rule.ticket_type_id and rule.ticket_type_id != ticket.ticket_type_id:
        return False
    if rule.category_id and rule.category_id != ticket.category_id:
        return False
    if rule.channel and rule.channel != ticket.channel:
        return False
    if rule.customer_tag_id and rule.customer_tag_id not in tag_ids:
        return False
    if rule.customer_type and rule.customer_type != ticket.customer.customer_type:
        return False
    keywords = rule.keyword_list()
    if keywords:
        text = f"{ticket.subject}\n{ticket.description}".lower()
        if not any(k in text for k in keywords):
            return False
    return True


def find_rule(ticket: Ticket) -> RoutingRule | None:
    tag_ids = set(ticket.customer.tags.values_list("id", flat=True))
    rules = RoutingRule.objects.filter(active=True, queue__active=True).select_related("queue")
    for rule in rules.order_by("order", "id"):
        if rule_matches(rule, ticket, tag_ids):
            return rule
    return None


def pick_agent(queue: Queue) -> Any:
    """The next agent of `queue` by its strategy (None if it has no active agents)."""
    if queue.strategy == RoutingStrategy.MANUAL:
        return None
    agents = list(queue.agents.filter(is_active=True).order_by("id"))
    if not agents:
        return None
    if queue.strategy == RoutingStrategy.LEAST_LOADED:
        loads = dict(
            Ticket.objects.filter(owner__in=agents, status__in=ACTIVE)
            .values_list("owner")
            .annotate(n=Count("id"))
            .values_list("owner", "n")
        )
        return min(agents, key=lambda a: (loads.get(a.pk, 0), a.pk))
    with transaction.atomic():
        # Lock the queue row so two tickets created at once get different agents.
        locked = Queue.objects.select_for_update().get(pk=queue.pk)
        after = [
            a for a in agents if locked.last_assigned_id is None or a.pk > locked.last_assigned_id
        ]
        agent = after[0] if after else agents[0]
        Queue.objects.filter(pk=queue.pk).update(last_assigned=agent)
    return agent


def route(ticket: Ticket, assign: bool = True) -> Route:
    """Where a new ticket goes: the first matching rule's queue, else the default queue."""
    rule = find_rule(ticket)
    if rule is not None:
        queue: Queue | None = rule.queue
        do_assign = assign and rule.assign
    else:
        queue = Queue.objects.filter(is_default=True, active=True).order_by("id").first()
        do_assign = assign
    agent = pick_agent(queue) if queue is not None and do_assign else None
    return Route(queue, agent, rule.set_priority if rule else "", rule)


def queue_agents_q(queue: Queue) -> Q:
    return Q(service_queues=queue, is_active=True)
