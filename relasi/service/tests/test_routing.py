"""Routing rules pick the queue (first match by order); the queue's strategy picks the agent."""

import pytest

from relasi.core.models import Tag
from relasi.service.models import Category, RoutingRule
from relasi.service.tests.factories import queue, ticket, ttype

pytestmark = pytest.mark.django_db


def test_no_rule_uses_the_default_queue_round_robin(world):
    owners = [ticket(world.p.admin, world.cust_a).owner for _i in range(4)]
    assert owners == [world.a1, world.a2, world.a1, world.a2]
    t = ticket(world.p.admin, world.cust_a)
    assert t.queue == world.qa and t.team == world.p.team_a


def test_least_loaded_picks_the_agent_with_fewest_open_tickets(world):
    world.qa.strategy = "least_loaded"
    world.qa.save()
    ticket(world.p.admin, world.cust_a, owner=world.a1)
    ticket(world.p.admin, world.cust_a, owner=world.a1)
    assert ticket(world.p.admin, world.cust_a).owner == world.a2
    assert ticket(world.p.admin, world.cust_a).owner == world.a2
    assert ticket(world.p.admin, world.cust_a).owner in (world.a1, world.a2)


def test_manual_queue_and_inactive_agents(world):
    world.qa.strategy = "manual"
    world.qa.save()
    assert ticket(world.p.admin, world.cust_a).owner is None
    world.qa.strategy = "round_robin"
    world.qa.save()
    world.a1.is_active = False
    world.a1.save()
    assert {ticket(world.p.admin, world.cust_a).owner for _i in range(2)} == {world.a2}


def test_rules_match_type_category_channel_tier_and_keywords(world):
    gold = Tag.objects.create(name="Gold")
    world.cust_b.tags.add(gold)
    delivery = Category.objects.get(name="Delivery")
    warranty_q = queue("Warranty", world.p.team_b, [world.b1])
    RoutingRule.objects.create(
        name="Warranty", order=1, ticket_type=ttype("warranty"), queue=warranty_q
    )
    RoutingRule.objects.create(name="Delivery", order=2, category=delivery, queue=world.qb)
    RoutingRule.objects.create(name="WhatsApp", order=3, channel="whatsapp", queue=world.qb)
    RoutingRule.objects.create(
        name="Gold", order=4, customer_tag=gold, queue=world.qb, set_priority="high"
    )
    RoutingRule.objects.create(
        name="Keywords", order=5, keywords="Surabaya, sidoarjo", queue=world.qb
    )
    RoutingRule.objects.create(name="B2B", order=6, customer_type="b2b", queue=world.qb)
    admin = world.p.admin
    assert ticket(admin, world.cust_a, type="warranty").queue == warranty_q
    assert ticket(admin, world.cust_a, category=delivery).queue == world.qb
    assert ticket(admin, world.cust_a, channel="whatsapp").queue == world.qb
    gold_ticket = ticket(admin, world.cust_b)
    assert gold_ticket.queue == world.qb and gold_ticket.priority == "high"
    assert ticket(admin, world.cust_b, priority="urgent").priority == "urgent"  # never lowered
    assert ticket(admin, world.cust_a, description="Toko di SIDOARJO tutup").queue == world.qb
    assert ticket(admin, world.cust_a).queue == world.qa  # nothing matched: default queue
    world.cust_a.customer_type = "b2b"
    world.cust_a.save()
    assert ticket(admin, world.cust_a).queue == world.qb


def test_first_matching_rule_wins_and_inactive_rules_are_skipped(world):
    RoutingRule.objects.create(name="Off", order=1, channel="phone", queue=world.qb, active=False)
    RoutingRule.objects.create(name="A", order=2, channel="phone", queue=world.qa, assign=False)
    RoutingRule.objects.create(name="B", order=3, channel="phone", queue=world.qb)
    t = ticket(world.p.admin, world.cust_a, channel="phone")
    assert t.queue == world.qa and t.owner is None  # the rule says: queue only


def test_explicit_queue_or_assignee_is_kept(world):
    t = ticket(world.p.admin, world.cust_a, queue=world.qb)
    assert t.queue == world.qb and t.owner is None and t.team == world.p.team_b
    t = ticket(world.p.admin, world.cust_a, owner=world.a2)
    assert t.owner == world.a2 and t.queue == world.qa
