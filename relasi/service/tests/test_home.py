"""Home page for agents (my queue) and managers (SLA risk): scoped, bounded in queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relasi.service.models import Ticket
from relasi.service.tests.factories import ticket

pytestmark = pytest.mark.django_db


def at_risk(t, *, over=False):
    now = timezone.now()
    Ticket.objects.filter(pk=t.pk).update(
        first_response_warn_at=now - dt.timedelta(minutes=5),
        first_response_due=now + dt.timedelta(minutes=-1 if over else 10),
        first_responded_at=None,
    )


def section(html, key):
    return html.split(f'id="home-{key}"', 1)[1].split("</section>", 1)[0]


def test_agent_sees_her_queue(world, as_user):
    mine = ticket(world.p.admin, world.cust_a, subject="Kompor mati", owner=world.a1)
    near = ticket(world.p.admin, world.cust_a, subject="Hampir telat", owner=world.a1)
    at_risk(near)
    free = ticket(world.p.admin, world.cust_a, subject="Belum ada", route=False, queue=world.qa)
    other = ticket(world.p.admin, world.cust_b, subject="Tim B", queue=world.qb, owner=world.b1)
    assert free.owner_id is None
    html = section(as_user(world.a1).get("/").content.decode(), "service")
    assert mine.subject in html and near.subject in html and free.subject in html
    assert other.subject not in html
    assert "/service/tickets/?assigned=me&amp;sla=at_risk" in html


def test_manager_sees_sla_risk_of_the_team_only(world, as_user):
    late = ticket(world.p.admin, world.cust_a, subject="Sudah telat", owner=world.a1)
    at_risk(late, over=True)
    near = ticket(world.p.admin, world.cust_a, subject="Hampir telat", owner=world.a2)
    at_risk(near)
    other = ticket(world.p.admin, world.cust_b, subject="Tim B", queue=world.qb, owner=world.b1)
    at_risk(other, over=True)
    fine = ticket(world.p.admin, world.cust_a, subject="Masih aman", owner=world.a1)
    html = section(as_user(world.p.manager).get("/").content.decode(), "sla")
    assert late.subject in html and near.subject in html
    assert other.subject not in html and fine.subject not in html
    assert "1 past breach" in html and "1 near breach" in html


@pytest.mark.parametrize("who", ["a1", "manager"])
def test_query_count_does_not_grow(world, as_user, who):
    user = world.p.manager if who == "manager" else world.a1
    client = as_user(user)

    def add(n):
        for i in range(n):
            at_risk(ticket(world.p.admin, world.cust_a, subject=f"T{i}", owner=world.a1))
            ticket(world.p.admin, world.cust_a, subject=f"U{i}", route=False, queue=world.qa)

    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add(6)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many.captured_queries) == len(few.captured_queries) <= 35
