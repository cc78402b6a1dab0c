"""Activities on the customer's 360° timeline, through merges, in the sales app's helpers
(`stats.activity_counts`, `stats.next_activities`, `next_activity_for`)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from relasi.activities import actions, stats
from relasi.activities.api import next_activities_for, next_activity_for
from relasi.activities.models import Activity, Visit
from relasi.activities.tests.factories import call, meeting, task
from relasi.customers.merge import related_moves
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def test_everything_appears_on_the_360_timeline(personas, as_user, django_assert_max_num_queries):
    customer = person(personas.rep, "Timeline", "Person")
    task(personas.rep, "Siapkan kontrak", customer=customer)
    call(personas.rep, customer, title="Telepon pertama")
    meeting(personas.rep, customer, "Pertemuan di toko")
    actions.check_in(personas.rep, customer)
    client = as_user(personas.rep)
    # 60 before the conversations app added its timeline kind and the sentiment panel.
    with django_assert_max_num_queries(63):
        html = client.get(customer.get_absolute_url()).content.decode()
    for text in ("Siapkan kontrak", "Telepon pertama", "Pertemuan di toko", "/activities/visits/"):
        assert text in html, text
    only_calls = client.get(f"/customers/{customer.pk}/timeline/?kind=call").content.decode()
    assert "Telepon pertama" in only_calls and "Siapkan kontrak" not in only_calls


def test_merge_moves_activities_and_visits(personas):
    keys = related_moves()
    assert (Activity, "customer") in keys and (Visit, "customer") in keys


def test_activity_counts(personas):
    customer = person(personas.rep)
    start = timezone.now() - dt.timedelta(days=1)
    call(personas.rep, customer)
    call(personas.rep, customer)
    t = task(personas.rep, "done task")
    actions.complete_activity(personas.rep, t, expected_version=None)
    task(personas.rep, "still open")
    call(personas.teammate, customer)
    actions.check_in(personas.rep, customer)
    end = timezone.now() + dt.timedelta(seconds=5)
    counts = stats.activity_counts(
        [personas.rep.pk, personas.teammate.pk, personas.manager.pk], start, end
    )
    assert counts[personas.rep.pk] == {"call": 2, "task": 1, "visit": 1}
    assert counts[personas.teammate.pk] == {"call": 1}
    assert personas.manager.pk not in counts
    assert stats.activity_counts([], start, end) == {}


def test_next_activity(personas, django_assert_num_queries):
    a, b = person(personas.rep, "A", "One"), person(personas.rep, "B", "Two")
    now = timezone.now()
    later = task(personas.rep, "later", customer=a, due_at=now + dt.timedelta(days=3))
    soon = task(personas.rep, "soon", customer=a, due_at=now + dt.timedelta(hours=1))
    task(personas.rep, "undated", customer=b)
    with django_assert_num_queries(1):
        found = next_activities_for([a, b])
    assert found[a.pk] == soon and found[b.pk].title == "undated"
    assert next_activity_for(a) == soon
    actions.complete_activity(personas.rep, soon, expected_version=None)
    assert next_activity_for(a) == later
    assert next_activity_for(a, user=personas.other_rep) is None
    assert stats.next_activities("customers.customer", [a.pk, b.pk])[a.pk][1] == "later"


def test_generic_link_to_any_record(personas, as_user):
    # Link a task to a record of another app generically (here a Group stands in for a deal).
    from relasi.customers.models import Group

    group = Group.objects.create(name="VIP", owner=personas.rep)
    client = as_user(personas.rep)
    response = client.post(
        "/api/v1/activities/tasks",
        {"title": "Follow the VIP list", "linked_type": "customers.group", "linked_id": group.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["linked_type"] == "customers.group"
    assert next_activity_for(group).title == "Follow the VIP list"
    hidden = Group.objects.create(name="Secret", owner=personas.other_rep)
    assert (
        client.post(
            "/api/v1/activities/tasks",
            {"title": "x", "linked_type": "customers.group", "linked_id": hidden.pk},
            content_type="application/json",
        ).status_code
        == 404
    )
    form = client.post(
        f"/activities/tasks/new/?link=customers.group:{group.pk}",
        {
            "title": "Via form",
            "link": f"customers.group:{group.pk}",
            "priority": "normal",
            "status": "open",
            "progress": "0",
        },
    )
    assert form.status_code == 302
    assert Activity.objects.get(title="Via form").linked == group


@time_machine.travel(dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC), tick=False)
def test_demo_seed_small(personas):
    from relasi.activities import demo
    from relasi.customers.models import Address

    customers = [person(personas.rep, f"C{i}", "X") for i in range(6)]
    for c in customers:
        Address.objects.create(customer=c, city="Jakarta Pusat", is_primary=True)
        c.city = "Jakarta Pusat"
    users = {u.username: u for u in personas.all()}
    demo.seed({"users": users, "customers": customers, "small": True, "teams": {}})
    assert Activity.objects.filter(kind="task").exists() and Visit.objects.exists()
    assert Activity.objects.filter(kind="appointment").exclude(confirmation="").exists()
    assert Visit.objects.filter(in_distance_m__isnull=False).exists()
    assert Address.objects.filter(latitude__isnull=False).exists()


def test_customer_page_panel(personas, as_user, rf):
    from relasi.activities.panels import customer_panel

    customer = person(personas.rep, "Panel", "Person")
    task(
        personas.rep,
        "Kirim contoh",
        customer=customer,
        due_at=timezone.now() - dt.timedelta(hours=1),
    )
    request = rf.get("/")
    request.user = personas.rep
    html = customer_panel(request, customer)
    assert "Kirim contoh" in html and "text-bg-danger" in html
    assert f"/activities/visits/check-in/?customer={customer.pk}" in html
    request.user = personas.other_rep
    assert "Kirim contoh" not in customer_panel(request, customer)
    pytest.importorskip("relasi.customers.panels")
    assert (
        'id="activities-panel"'
        in as_user(personas.rep).get(customer.get_absolute_url()).content.decode()
    )
