"""The activities API: CRUD for tasks, calls and meetings, completion with 409, notifications,
the calendar range, module permissions and query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from relasi.accounts.models import ApiToken
from relasi.activities import actions
from relasi.activities.models import Activity
from relasi.activities.tests.factories import meeting, task
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
J = "application/json"


def test_task_crud_and_conflict(personas, as_user):
    client = as_user(personas.rep)
    customer = person(personas.rep)
    created = client.post(
        "/api/v1/activities/tasks",
        {
            "title": "Kirim brosur",
            "customer_id": customer.pk,
            "owner_id": personas.teammate.pk,
            "due_at": "2030-05-01T09:00:00+07:00",
            "priority": "high",
            "remind_minutes": 30,
        },
        content_type=J,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner_id"] == personas.teammate.pk and body["assigned_by_id"] == personas.rep.pk
    assert body["due_state"] == "planned" and body["customer_id"] == customer.pk
    pk = body["id"]
    patched = client.patch(
        f"/api/v1/activities/tasks/{pk}",
        {"progress": 40, "status": "in_progress", "version": body["version"]},
        content_type=J,
    )
    assert patched.status_code == 200 and patched.json()["progress"] == 40
    stale = client.patch(
        f"/api/v1/activities/tasks/{pk}",
        {"progress": 10, "version": body["version"]},
        content_type=J,
    )
    assert stale.status_code == 409
    done = client.post(
        f"/api/v1/activities/items/{pk}/complete",
        {"version": patched.json()["version"]},
        content_type=J,
    )
    assert (
        done.status_code == 200
        and done.json()["status"] == "done"
        and done.json()["due_state"] == "done"
    )
    assert client.get(f"/api/v1/activities/calls/{pk}").status_code == 404  # wrong kind
    assert (
        client.delete(f"/api/v1/activities/tasks/{pk}").status_code == 403
    )  # sales may not delete
    assert as_user(personas.manager).delete(f"/api/v1/activities/tasks/{pk}").status_code == 204


def test_lists_filters_and_query_count(personas, as_user, django_assert_max_num_queries):
    client = as_user(personas.rep)
    past = timezone.now() - dt.timedelta(days=1)
    for i in range(3):
        task(personas.rep, f"Late {i}", due_at=past)
    task(personas.rep, "Someday")
    task(personas.other_rep, "Hidden")
    with django_assert_max_num_queries(12) as few:
        items = client.get("/api/v1/activities/tasks?state=overdue").json()["items"]
    assert sorted(i["title"] for i in items) == ["Late 0", "Late 1", "Late 2"]
    for i in range(3, 30):
        task(personas.rep, f"Late {i}", due_at=past)
    with django_assert_max_num_queries(len(few.captured_queries)):
        items = client.get("/api/v1/activities/tasks?state=overdue&limit=100").json()["items"]
    assert len(items) == 30
    assert client.get("/api/v1/activities/tasks?state=bogus").status_code == 422
    assert {
        i["title"]
        for i in as_user(personas.manager)
        .get("/api/v1/activities/tasks?scope=team&limit=200")
        .json()["items"]
    } >= {"Someday"}


def test_calls_and_meetings(personas, as_user):
    client = as_user(personas.rep)
    customer = person(personas.rep, "Nina", "Kurnia")
    call = client.post(
        "/api/v1/activities/calls",
        {
            "customer_id": customer.pk,
            "direction": "inbound",
            "outcome": "callback_requested",
            "duration_minutes": 3,
            "description": "Minta ditelepon lagi",
        },
        content_type=J,
    )
    assert call.status_code == 201 and call.json()["status"] == "done" and call.json()["done_at"]
    m = client.post(
        "/api/v1/activities/meetings",
        {
            "title": "Presentasi",
            "kind": "meeting",
            "customer_id": customer.pk,
            "contact_ids": [customer.pk],
            "attendee_ids": [personas.teammate.pk],
            "due_at": "2030-01-01T10:00:00+07:00",
            "ends_at": "2030-01-01T11:00:00+07:00",
            "location": "Kantor",
            "send_invitation": True,
        },
        content_type=J,
    )
    assert m.status_code == 201, m.content
    body = m.json()
    assert body["confirmation"] == "pending" and body["invitation_sent_at"]
    assert body["attendee_ids"] == [personas.teammate.pk] and body["contact_ids"] == [customer.pk]
    assert (
        as_user(personas.teammate).get(f"/api/v1/activities/meetings/{body['id']}").status_code
        == 200
    )
    bad = client.post(
        "/api/v1/activities/meetings",
        {"title": "x", "kind": "task", "due_at": "2030-01-01T10:00:00Z"},
        content_type=J,
    )
    assert bad.status_code == 422


def test_calendar_range(personas, as_user):
    customer = person(personas.rep)
    start = timezone.localdate()
    meeting(personas.rep, customer, "Dalam rentang", due_at=timezone.now() + dt.timedelta(days=1))
    client = as_user(personas.rep)
    items = client.get(
        f"/api/v1/activities/calendar?start={start}&end={start + dt.timedelta(days=7)}"
    ).json()
    assert [i["title"] for i in items] == ["Dalam rentang"]
    assert (
        client.get(
            f"/api/v1/activities/calendar?start={start}&end={start + dt.timedelta(days=90)}"
        ).status_code
        == 422
    )


def test_notifications_api(personas, as_user):
    for i in range(3):
        actions.notify(personas.rep, f"N{i}")
    client = as_user(personas.rep)
    body = client.get("/api/v1/activities/notifications?unread=true").json()
    assert body["unread"] == 3 and len(body["items"]) == 3
    newest = body["items"][0]["id"]
    assert (
        as_user(personas.teammate)
        .post(f"/api/v1/activities/notifications/{newest}/read")
        .status_code
        == 404
    )
    assert client.post(f"/api/v1/activities/notifications/{newest}/read").json()["read_at"]
    assert client.post(
        "/api/v1/activities/notifications/read-all", {"up_to_id": newest}, content_type=J
    ).json() == {"updated": 2}
    assert (
        client.post("/api/v1/activities/notifications/read-all", {}, content_type=J).status_code
        == 422
    )


def test_module_permission_and_token_scope(personas, as_user):
    t = task(personas.rep, "x")
    assert (
        as_user(personas.readonly)
        .post("/api/v1/activities/tasks", {"title": "nope"}, content_type=J)
        .status_code
        == 403
    )
    token, raw = ApiToken.generate(user=personas.rep, name="t", scopes={"activities": "read"})
    token.save()
    from django.test import Client

    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get(f"/api/v1/activities/tasks/{t.pk}", **headers).status_code == 200
    assert (
        Client()
        .post("/api/v1/activities/tasks", {"title": "w"}, content_type=J, **headers)
        .status_code
        == 403
    )
    assert Activity.objects.count() == 1
