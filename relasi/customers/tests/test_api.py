import pytest

from relasi.accounts import actions as account_actions
from relasi.customers import actions
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    from django.test import Client

    def make(user, scopes=None):
        _t, raw = account_actions.issue_token(user, "test", scopes or {"customers": "write"})
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


def test_crud_people(personas, api):
    client = api(personas.rep)
    r = client.post(
        "/api/v1/customers/people",
        {
            "first_name": "Agus",
            "last_name": "Salim",
            "emails": [{"email": "AGUS@x.test"}],
            "phones": [{"number": "0812-3456-7000"}],
            "tags": ["vip"],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["name"] == "Agus Salim"
        and body["primary_phone"] == "+6281234567000"
        and body["tags"] == ["vip"]
    )
    pk, version = body["id"], body["version"]
    r = client.patch(
        f"/api/v1/customers/people/{pk}",
        {"occupation": "Guru", "version": version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["occupation"] == "Guru"
    stale = client.patch(
        f"/api/v1/customers/people/{pk}",
        {"occupation": "Dokter", "version": version},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["error"]["status"] == 409
    assert (
        client.get(f"/api/v1/customers/organizations/{pk}").status_code == 404
    )  # a person is not an organisation
    assert (
        client.delete(f"/api/v1/customers/people/{pk}").status_code == 403
    )  # sales may not delete
    assert api(personas.manager).delete(f"/api/v1/customers/people/{pk}").status_code == 204
    assert not Customer.objects.filter(pk=pk).exists()


def test_validation_errors(personas, api):
    client = api(personas.rep)
    r = client.post(
        "/api/v1/customers/people",
        {"first_name": "X", "phones": [{"number": "123"}]},
        content_type="application/json",
    )
    assert r.status_code == 422 and "phones" in str(r.json())
    r = client.post("/api/v1/customers/people", {"first_name": ""}, content_type="application/json")
    assert r.status_code == 422


def test_list_keyset_pages_and_filters(personas, api):
    for i in range(7):
        person(personas.rep, f"Orang{i:02d}", "Test")
    person(personas.other_rep, "Hidden", "Person")
    client = api(personas.rep)
    page1 = client.get("/api/v1/customers/people?limit=5").json()
    page2 = client.get(f"/api/v1/customers/people?limit=5&cursor={page1['next_cursor']}").json()
    names = [i["name"] for i in page1["items"] + page2["items"]]
    assert names == sorted(names) and len(names) == 7 and "Hidden Person" not in names
    assert page2["next_cursor"] is None
    filtered = client.get("/api/v1/customers/people?q=orang03").json()
    assert [i["name"] for i in filtered["items"]] == ["Orang03 Test"]


def test_visibility_and_scopes(personas, api):
    c = person(personas.rep)
    assert api(personas.other_rep).get(f"/api/v1/customers/people/{c.pk}").status_code == 404
    assert api(personas.manager).get(f"/api/v1/customers/people/{c.pk}").status_code == 200
    read_only = api(personas.rep, {"customers": "read"})
    assert read_only.get(f"/api/v1/customers/people/{c.pk}").status_code == 200
    assert read_only.delete(f"/api/v1/customers/people/{c.pk}").status_code == 403
    assert api(personas.rep, {"sales": "write"}).get("/api/v1/customers/people").status_code == 403


def test_timeline_relationships_permissions_notes(personas, api):
    a = person(personas.rep, "Ani", "A")
    b = person(personas.rep, "Budi", "B")
    client = api(personas.rep)
    assert (
        client.post(
            f"/api/v1/customers/{a.pk}/notes", {"body": "halo"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/customers/{a.pk}/permissions",
            {"channel": "email", "status": "opted_in", "source": "api"},
            content_type="application/json",
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/customers/{a.pk}/relationships",
        {"other_id": b.pk, "kind": "spouse"},
        content_type="application/json",
    )
    assert r.status_code == 201
    timeline = client.get(f"/api/v1/customers/{a.pk}/timeline").json()
    assert {e["kind"] for e in timeline} >= {"note", "relationship", "stage"}
    assert [
        e["kind"] for e in client.get(f"/api/v1/customers/{a.pk}/timeline?kind=note").json()
    ] == ["note"]
    # An API grant of e-mail consent waits for the double opt-in link.
    assert client.get(f"/api/v1/customers/{a.pk}/permissions").json()[0]["status"] == "pending"
    rel_id = client.get(f"/api/v1/customers/{b.pk}/relationships").json()[0]["id"]
    assert client.delete(f"/api/v1/customers/{a.pk}/relationships/{rel_id}").status_code == 204
    hidden = person(personas.other_rep, "X", "Y")
    assert (
        client.post(
            f"/api/v1/customers/{a.pk}/relationships",
            {"other_id": hidden.pk, "kind": "friend"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_list_query_count_does_not_grow(personas, api, django_assert_max_num_queries):
    client = api(personas.rep)
    for i in range(3):
        person(personas.rep, f"P{i}", "Q")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/customers/people?limit=50")
    for i in range(30):
        person(personas.rep, f"R{i}", "S")
    actions  # noqa: B018 - keep import used for readability of fixtures
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/customers/people?limit=50")


def test_addresses_memberships_and_groups(personas, api):
    from relasi.customers.models import Group
    from relasi.customers.tests.factories import organization

    p = person(personas.rep, "Joko", "Widodo")
    org = organization(personas.rep, "PT Solo Jaya")
    hidden = person(personas.other_rep, "Tak", "Terlihat")
    client = api(personas.rep)
    r = client.post(
        f"/api/v1/customers/{p.pk}/addresses",
        {
            "kind": "shipping",
            "street": "Jl. Slamet Riyadi 1",
            "rt": "001",
            "rw": "002",
            "kelurahan": "Sriwedari",
            "kecamatan": "Laweyan",
            "city": "Surakarta",
            "province": "Jawa Tengah",
            "postal_code": "57141",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["is_primary"] is True
    p.refresh_from_db()
    assert p.city == "Surakarta"
    assert client.get(f"/api/v1/customers/{p.pk}/addresses").json()[0]["kelurahan"] == "Sriwedari"
    r = client.post(
        f"/api/v1/customers/{p.pk}/memberships",
        {"organization_id": org.pk, "title": "Direktur"},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert client.get(f"/api/v1/customers/{org.pk}/memberships").json()[0]["person_id"] == p.pk
    group = Group.objects.create(name="Solo", owner=personas.rep)
    r = client.post(
        f"/api/v1/customers/groups/{group.pk}/members",
        {"customer_ids": [p.pk, hidden.pk]},
        content_type="application/json",
    )
    assert r.json() == {"added": 1}
    assert [g["name"] for g in client.get("/api/v1/customers/groups").json()] == ["Solo"]
    assert client.delete(f"/api/v1/customers/groups/{group.pk}/members/{p.pk}").status_code == 204
    assert not group.memberships.exists()
