"""The service API: tickets with optimistic locking, transitions, assignment, messages, SLA,
queues, articles, surveys, KPIs — with the same visibility rules as the UI."""

import pytest
from django.test import Client

from relasi.accounts import actions as account_actions
from relasi.service.models import Survey, Ticket
from relasi.service.tests.factories import ticket

pytestmark = pytest.mark.django_db


def api(user, scopes=None):
    _token, raw = account_actions.issue_token(user, "test", scopes or {"service": "write"})
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def j(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_ticket_lifecycle(world):
    client = api(world.a1)
    created = j(
        client,
        "post",
        "/api/v1/service/tickets",
        {
            "customer_id": world.cust_a.pk,
            "ticket_type": "complaint",
            "subject": "Blender bocor",
            "channel": "whatsapp",
            "tags": ["urgent-ish"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["number"].startswith("TKT-")
        and body["queue_id"] == world.qa.pk
        and body["tags"] == ["urgent-ish"]
    )
    pk, version = body["id"], body["version"]
    patched = j(
        client,
        "patch",
        f"/api/v1/service/tickets/{pk}",
        {"version": version, "priority": "high", "root_cause": "product_defect"},
    )
    assert (
        patched.status_code == 200
        and patched.json()["priority"] == "high"
        and patched.json()["root_cause"] == "product_defect"
    )
    stale = j(
        client, "patch", f"/api/v1/service/tickets/{pk}", {"version": version, "subject": "lama"}
    )
    assert stale.status_code == 409
    reply = j(
        client,
        "post",
        f"/api/v1/service/tickets/{pk}/replies",
        {"body": "Kami cek", "send_email": False},
    )
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    assert (
        j(client, "post", f"/api/v1/service/tickets/{pk}/notes", {"body": "Gudang"}).status_code
        == 201
    )
    msgs = client.get(f"/api/v1/service/tickets/{pk}/messages").json()
    assert [m["kind"] for m in msgs] == ["reply", "note"]
    bad = j(client, "post", f"/api/v1/service/tickets/{pk}/transition", {"status": "reopened"})
    assert bad.status_code == 422
    ok = j(client, "post", f"/api/v1/service/tickets/{pk}/transition", {"status": "resolved"})
    assert ok.status_code == 200 and ok.json()["status"] == "resolved" and ok.json()["fcr"] is True
    sla = client.get(f"/api/v1/service/tickets/{pk}/sla").json()
    assert [c["clock"] for c in sla["clocks"]] == ["first_response", "resolution"] and sla["paused"]
    assign = j(client, "post", f"/api/v1/service/tickets/{pk}/assign", {"owner_id": world.a2.pk})
    assert assign.status_code == 200 and assign.json()["owner_id"] == world.a2.pk
    assert (
        client.delete(f"/api/v1/service/tickets/{pk}").status_code == 403
    )  # agents may not delete
    assert api(world.p.admin).delete(f"/api/v1/service/tickets/{pk}").status_code == 204


def test_validation_and_visibility(world):
    client = api(world.a1)
    hidden = j(
        client, "post", "/api/v1/service/tickets", {"customer_id": world.cust_b.pk, "subject": "x"}
    )
    assert hidden.status_code == 404  # a customer this agent may not see
    assert (
        j(
            client,
            "post",
            "/api/v1/service/tickets",
            {"customer_id": world.cust_a.pk, "subject": "x", "ticket_type": "nope"},
        ).status_code
        == 422
    )
    assert (
        j(
            client,
            "post",
            "/api/v1/service/tickets",
            {"customer_id": world.cust_a.pk, "subject": ""},
        ).status_code
        == 422
    )
    theirs = ticket(world.p.admin, world.cust_b, queue=world.qb, owner=world.b1)
    for method, url, body in (
        ("get", f"/api/v1/service/tickets/{theirs.pk}", None),
        ("patch", f"/api/v1/service/tickets/{theirs.pk}", {"version": 1, "subject": "x"}),
        ("post", f"/api/v1/service/tickets/{theirs.pk}/replies", {"body": "x"}),
        ("post", f"/api/v1/service/tickets/{theirs.pk}/transition", {"status": "open"}),
        ("get", f"/api/v1/service/tickets/{theirs.pk}/messages", None),
        ("get", f"/api/v1/service/tickets/{theirs.pk}/sla", None),
    ):
        assert j(client, method, url, body).status_code == 404, url
    mine = ticket(world.p.admin, world.cust_a)
    listed = client.get("/api/v1/service/tickets", {"status": ["new"]}).json()
    assert [t["id"] for t in listed["items"]] == [mine.pk]
    assert client.get("/api/v1/service/tickets", {"sla": "bogus"}).status_code == 422
    read_only = api(world.a1, {"service": "read"})
    assert read_only.get("/api/v1/service/tickets").status_code == 200
    assert (
        j(read_only, "post", f"/api/v1/service/tickets/{mine.pk}/notes", {"body": "x"}).status_code
        == 403
    )
    assert api(world.a1, {"customers": "read"}).get("/api/v1/service/tickets").status_code == 403


def test_queues_articles_surveys_and_kpis(world):
    client = api(world.a1)
    queues = client.get("/api/v1/service/queues").json()
    assert {q["name"] for q in queues} >= {"Team A", "Team B"}
    created = j(
        client,
        "post",
        "/api/v1/service/articles",
        {
            "visibility": "public",
            "status": "published",
            "translations": {
                "id": {"title": "Kebijakan retur", "body": "7 hari"},
                "en": {"title": "Returns", "body": "7 days"},
            },
        },
    )
    assert created.status_code == 201, created.content
    art = created.json()
    assert sorted(t["language"] for t in art["translations"]) == ["en", "id"]
    assert (
        j(
            client,
            "post",
            "/api/v1/service/articles",
            {"translations": {"fr": {"title": "x", "body": "y"}}},
        ).status_code
        == 422
    )
    found = client.get("/api/v1/service/articles", {"q": "retur"}).json()
    assert [a["id"] for a in found["items"]] == [art["id"]]
    patched = j(
        client,
        "patch",
        f"/api/v1/service/articles/{art['id']}",
        {
            "version": art["version"],
            "visibility": "internal",
            "status": "draft",
            "translations": {"id": {"title": "Retur", "body": "Isi"}},
        },
    )
    assert patched.status_code == 200 and patched.json()["visibility"] == "internal"
    t = ticket(world.p.admin, world.cust_a)
    from relasi.service import actions

    actions.change_status(world.a1, t, "resolved")
    survey = Survey.objects.get(ticket=t)
    actions.submit_survey(survey, csat=5, ces=6)
    theirs = ticket(world.p.admin, world.cust_b, queue=world.qb)
    actions.change_status(world.p.admin, theirs, "resolved")
    items = client.get("/api/v1/service/surveys", {"answered": True}).json()["items"]
    assert [s["csat"] for s in items] == [5]
    all_mine = client.get("/api/v1/service/surveys").json()["items"]
    assert {s["customer_id"] for s in all_mine} == {
        world.cust_a.pk
    }  # not the other team's customer
    k = client.get("/api/v1/service/kpis", {"start": "2020-01-01", "end": "2030-12-31"}).json()
    assert k["resolved"] == 1 and k["csat"]["percent"] == 100.0
    assert Ticket.objects.count() == 2
