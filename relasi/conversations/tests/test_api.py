"""The conversations API: the inbox's filters, visibility, reply/note/assign/status and the
version check, with the same rules as the UI."""

import pytest
from django.test import Client

from relasi.accounts import actions as account_actions
from relasi.conversations import actions
from relasi.conversations.tests.factories import inbound, inbox

pytestmark = pytest.mark.django_db


def api(user, scopes=None):
    _token, raw = account_actions.issue_token(
        user, "test", scopes or {"conversations": "write", "service": "write", "sales": "write"}
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def j(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


@pytest.fixture
def two(personas):
    box = inbox("webchat", address="tokoxyz.test")
    a = inbound(box, "visitor-a", "Halo, ada promo?").conversation
    actions.assign(personas.admin, a, personas.rep)
    b = inbound(box, "visitor-b", "Jam buka?").conversation
    actions.assign(personas.admin, b, personas.other_rep)
    a.refresh_from_db()
    return a, b


def test_list_filters_and_visibility(personas, two):
    a, b = two
    rep = api(personas.rep)
    ids = [c["id"] for c in rep.get("/api/v1/conversations").json()["items"]]
    assert ids == [a.pk]
    assert rep.get(f"/api/v1/conversations/{b.pk}").status_code == 404
    admin = api(personas.admin)
    mine = admin.get("/api/v1/conversations", {"assignee": "me"}).json()["items"]
    assert mine == []
    waiting = admin.get("/api/v1/conversations", {"waiting": "true"}).json()["items"]
    assert {c["id"] for c in waiting} == {a.pk, b.pk}
    assert admin.get("/api/v1/conversations", {"status": "nonsense"}).status_code in (400, 422)


def test_reply_note_and_the_version_check(personas, two, django_capture_on_commit_callbacks):
    a, _b = two
    rep = api(personas.rep)
    with django_capture_on_commit_callbacks(execute=True):
        r = j(
            rep,
            "post",
            f"/api/v1/conversations/{a.pk}/replies",
            {"body": "Ada, kak", "version": a.version},
        )
    assert r.status_code == 201 and r.json()["direction"] == "out"
    stale = j(
        rep, "post", f"/api/v1/conversations/{a.pk}/replies", {"body": "lagi", "version": a.version}
    )
    assert stale.status_code == 409
    assert (
        j(rep, "post", f"/api/v1/conversations/{a.pk}/notes", {"body": "catatan"}).status_code
        == 201
    )
    msgs = rep.get(f"/api/v1/conversations/{a.pk}/messages").json()
    assert [m["direction"] for m in msgs] == ["in", "out", "note"]
    assert msgs[1]["status"] == "sent"
    assert j(rep, "post", f"/api/v1/conversations/{a.pk}/replies", {"body": ""}).status_code == 422


def test_assign_and_status(personas, two):
    a, _b = two
    admin = api(personas.admin)
    r = j(admin, "post", f"/api/v1/conversations/{a.pk}/assign", {"owner_id": personas.teammate.pk})
    assert r.status_code == 200 and r.json()["owner_id"] == personas.teammate.pk
    r = j(admin, "post", f"/api/v1/conversations/{a.pk}/status", {"status": "closed"})
    assert r.json()["status"] == "closed" and r.json()["resolved_at"]
    r = j(admin, "post", f"/api/v1/conversations/{a.pk}/status", {"status": "snoozed"})
    assert r.status_code == 422
    bad = j(admin, "post", f"/api/v1/conversations/{a.pk}/assign", {"owner_id": 2**62})
    assert bad.status_code == 422


def test_a_token_without_the_scope_is_refused(personas, two):
    a, _b = two
    reader = api(personas.rep, {"conversations": "read"})
    assert reader.get(f"/api/v1/conversations/{a.pk}").status_code == 200
    r = j(reader, "post", f"/api/v1/conversations/{a.pk}/notes", {"body": "x"})
    assert r.status_code == 403
