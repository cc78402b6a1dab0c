"""The marketing API: permissions and visibility, create/update/count/members/snapshots, 422."""

import pytest

from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
J = "application/json"
RULE = {"op": "and", "rules": [{"field": "lifecycle_stage", "op": "in", "value": ["customer"]}]}


def test_segment_lifecycle_through_the_api(personas, as_user):
    a = person(personas.rep, "Ani", "Satu", lifecycle_stage="customer")
    person(personas.rep, "Budi", "Dua", lifecycle_stage="prospect")
    person(personas.other_rep, "Citra", "Tiga", lifecycle_stage="customer")  # team B
    api = as_user(personas.manager)
    assert api.post("/api/v1/marketing/count", {"rule": RULE}, content_type=J).json() == {
        "count": 1  # the manager sees the subordinates' people, not team B's
    }
    r = api.post("/api/v1/marketing/segments", {"name": "Pelanggan", "rule": RULE}, content_type=J)
    assert r.status_code == 201, r.content
    seg = r.json()
    assert seg["last_count"] == 1 and seg["rule"] == RULE
    members = api.get(f"/api/v1/marketing/segments/{seg['id']}/members").json()
    assert [m["id"] for m in members["items"]] == [a.pk]
    r = api.patch(f"/api/v1/marketing/segments/{seg['id']}", {"rule": {"op": "and", "rules": []},
                  "version": seg["version"]}, content_type=J)  # fmt: skip
    assert r.status_code == 200 and r.json()["last_count"] == 2
    stale = api.patch(f"/api/v1/marketing/segments/{seg['id']}", {"name": "x", "version": 1},
                      content_type=J)  # fmt: skip
    assert stale.status_code == 409
    snap = api.post(f"/api/v1/marketing/segments/{seg['id']}/snapshots", {"name": "Kirim 1"},
                    content_type=J).json()  # fmt: skip
    assert snap["size"] == 2
    person(personas.rep, "Dewi", "Empat")  # joins the segment, not the snapshot
    assert api.get(f"/api/v1/marketing/segments/{seg['id']}/count").json() == {"count": 3}
    frozen = api.get(f"/api/v1/marketing/snapshots/{snap['id']}/members").json()
    assert len(frozen["items"]) == 2
    assert any(c["key"] == "rfm_segment" for c in api.get("/api/v1/marketing/conditions").json())
    people = api.get(f"/api/v1/customers/people?segment={seg['id']}").json()
    assert len(people["items"]) == 3


def test_bad_rules_are_422(personas, as_user):
    api = as_user(personas.manager)
    bad = {"op": "and", "rules": [{"field": "orders_spend", "op": "gte", "value": "lots"}]}
    assert api.post("/api/v1/marketing/count", {"rule": bad}, content_type=J).status_code == 422
    r = api.post("/api/v1/marketing/segments", {"name": "x", "rule": bad}, content_type=J)
    assert r.status_code == 422


def test_permissions_and_visibility(personas, as_user):
    from relasi.accounts.models import User
    from relasi.marketing import actions

    seg = actions.create_segment(personas.manager, {"name": "Tim A", "rule": RULE})
    url = f"/api/v1/marketing/segments/{seg.pk}"
    assert as_user(personas.rep).get(url).status_code == 403  # sales: no marketing module
    assert as_user(personas.readonly).get("/api/v1/marketing/segments").status_code == 403
    manager_b = User.objects.get(username="manager_b")
    other = as_user(manager_b)
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/members").status_code == 404
    assert other.patch(url, {"name": "mine"}, content_type=J).status_code == 404
    assert other.delete(url).status_code == 404
    assert other.get("/api/v1/marketing/segments").json()["items"] == []
    # a segment the caller cannot see is no valid choice, as an unknown id is not
    assert other.get(f"/api/v1/customers/people?segment={seg.pk}").status_code == 422
    assert as_user(personas.manager).delete(url).status_code == 204
