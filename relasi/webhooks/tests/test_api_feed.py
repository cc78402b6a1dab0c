"""The SSRF guard, the endpoints API with permissions, and the permission-filtered feed."""

import pytest
from django.core.exceptions import ValidationError

from relasi.customers import actions as customers
from relasi.customers.tests.factories import person
from relasi.webhooks import actions, ssrf
from relasi.webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lag(settings):
    settings.RELASI_EVENT_FEED_LAG_SECONDS = 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "ftp://example.com/",
        "http://user:pw@example.com/",
    ],
)
def test_ssrf_guard_refuses_private_and_odd_urls(url, personas, settings):
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ssrf.UnsafeURL):
        ssrf.resolve(url)
    with pytest.raises(ValidationError):
        actions.create_endpoint(personas.admin, {"name": "x", "url": url, "event_types": ["*"]})


def test_ssrf_guard_checks_again_at_delivery(personas, settings):
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = True
    _endpoint, _s = actions.create_endpoint(
        personas.admin, {"name": "x", "url": "http://127.0.0.1:9/", "event_types": ["*"]}
    )
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = False
    person(personas.rep)
    from relasi.webhooks import delivery

    delivery.deliver_due()
    row = Delivery.objects.get(event__type="person.created")
    assert "private or local" in row.last_error and row.last_status_code is None


def test_events_written_with_api_payload(personas):
    c = person(personas.rep)
    pk, name = c.pk, c.name
    customers.update_customer(personas.rep, c, {"occupation": "guru"})
    customers.delete_customer(personas.rep, c)
    got = list(Event.objects.filter(record_key=f"customers.customer:{pk}").order_by("id"))
    assert [e.type for e in got] == ["person.created", "person.updated", "person.deleted"]
    assert got[1].changed == ["occupation"]
    assert got[0].data["name"] == name and "national_id" not in got[0].data
    assert got[0].owner_id == personas.rep.pk


def test_rolled_back_change_has_no_event(personas):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        person(personas.rep)
        raise RuntimeError
    assert not Event.objects.exists()


def test_endpoints_api_permissions(personas, as_user, settings):
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = True
    body = {"name": "n8n", "url": "http://127.0.0.1:5678/webhook", "event_types": ["deal.created"]}
    assert (
        as_user(personas.rep)
        .post("/api/v1/webhooks/endpoints", body, content_type="application/json")
        .status_code
        == 403
    )
    api = as_user(personas.admin)
    r = api.post("/api/v1/webhooks/endpoints", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["secret"].startswith("whsec_")
    pk = r.json()["id"]
    assert "secret" not in api.get(f"/api/v1/webhooks/endpoints/{pk}").json()
    bad = {**body, "event_types": ["nope.created"]}
    assert (
        api.post("/api/v1/webhooks/endpoints", bad, content_type="application/json").status_code
        == 422
    )
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = False
    r = api.patch(f"/api/v1/webhooks/endpoints/{pk}", {"url": "http://10.0.0.1/"},
                  content_type="application/json")  # fmt: skip
    assert r.status_code == 422
    assert api.post(f"/api/v1/webhooks/endpoints/{pk}/rotate-secret").json()["secret"]
    assert api.get(f"/api/v1/webhooks/endpoints/{pk}/deliveries").json() == []
    types = {t["key"] for t in api.get("/api/v1/webhooks/event-types").json()}
    assert {"ticket.sla_breached", "consent.changed", "organisation.deleted"} <= types
    assert api.delete(f"/api/v1/webhooks/endpoints/{pk}").status_code == 204


def test_feed_is_cursor_paginated_and_permission_filtered(personas, as_user):
    mine = [person(personas.rep, first=f"R{i}") for i in range(3)]
    other = person(personas.other_rep, first="O")
    gone = mine[0].pk
    customers.delete_customer(personas.rep, mine[0])
    api = as_user(personas.rep)
    page = api.get("/api/v1/events?limit=2").json()
    assert len(page["items"]) == 2 and page["has_more"]
    rest = api.get(f"/api/v1/events?after={page['next_cursor']}").json()
    items = page["items"] + rest["items"]
    assert not rest["has_more"]
    ids = {i["record"]["id"] for i in items}
    assert str(other.pk) not in ids and str(gone) in ids  # a deleted record's events too
    assert [i["type"] for i in items].count("person.deleted") == 1
    again = api.get(f"/api/v1/events?after={rest['next_cursor']}").json()
    assert again["items"] == [] and again["next_cursor"] == rest["next_cursor"]
    only = api.get("/api/v1/events?type=person.deleted").json()["items"]
    assert [i["type"] for i in only] == ["person.deleted"]
    everyone = as_user(personas.admin).get("/api/v1/events?limit=200").json()["items"]
    assert str(other.pk) in {i["record"]["id"] for i in everyone}
    assert as_user(None).get("/api/v1/events").status_code == 401
