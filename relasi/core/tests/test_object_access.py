"""SECURITY.md check 11: every object path goes through the access layer. An actor matrix over
detail, edit, delete, export, bulk and the API, plus own / team / subordinates visibility."""

from typing import Any

import pytest

from relasi.accounts.models import Role
from relasi.core.testing import client_for, make_user
from relasi.customers.forms import PersonForm
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

ACTORS = ["rep", "teammate", "manager", "other_rep", "readonly", "admin"]
# actor -> (detail, edit POST, delete POST, in export, bulk tag applies, API GET, PATCH, DELETE).
# The Sales role may not delete customers at all, so its delete is 403 before any lookup.
EXPECTED: dict[str, tuple[Any, ...]] = {
    "rep": (200, 302, 403, True, True, 200, 200, 403),
    "teammate": (404, 404, 403, False, False, 404, 404, 403),
    "manager": (200, 302, 302, True, True, 200, 200, 204),
    "other_rep": (404, 404, 403, False, False, 404, 404, 403),
    "readonly": (200, 403, 403, 403, 403, 200, 403, 403),
    "admin": (200, 302, 302, True, True, 200, 200, 204),
}


def edit_data(customer: Customer, **changes: Any) -> dict[str, Any]:
    """The edit form as a browser would submit it unchanged, plus `changes`."""
    form = PersonForm(instance=customer)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [v.pk if hasattr(v, "pk") else v for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = field.prepare_value(value) if hasattr(field, "prepare_value") else value
    data["version"] = customer.version
    data.update(changes)
    return data


@pytest.fixture
def customer(personas):
    return person(personas.rep, "Matrix", "Target")


@pytest.mark.parametrize("actor", ACTORS)
def test_detail(personas, customer, actor):
    response = client_for(getattr(personas, actor)).get(f"/customers/people/{customer.pk}/")
    assert response.status_code == EXPECTED[actor][0]
    if response.status_code == 404:
        assert b"Matrix" not in response.content


@pytest.mark.parametrize("actor", ACTORS)
def test_edit(personas, customer, actor):
    client = client_for(getattr(personas, actor))
    url = f"/customers/people/{customer.pk}/edit/"
    response = client.post(url, edit_data(customer, first_name="Edited"))
    assert response.status_code == EXPECTED[actor][1], response.content[:2000]
    changed = Customer.objects.get(pk=customer.pk).first_name == "Edited"
    assert changed is (EXPECTED[actor][1] == 302)


@pytest.mark.parametrize("actor", ACTORS)
def test_delete(personas, customer, actor):
    client = client_for(getattr(personas, actor))
    response = client.post(f"/customers/people/{customer.pk}/delete/")
    assert response.status_code == EXPECTED[actor][2]
    assert Customer.objects.filter(pk=customer.pk).exists() is (EXPECTED[actor][2] != 302)


@pytest.mark.parametrize("actor", ACTORS)
def test_export(personas, customer, actor):
    response = client_for(getattr(personas, actor)).get("/customers/people/export/")
    expected = EXPECTED[actor][3]
    if expected == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert ("Matrix Target" in body) is expected


def _tagged(customer: Customer) -> bool:
    return Customer.objects.get(pk=customer.pk).tags.filter(name="bulk-probe").exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_bulk_ignores_invisible_ids(personas, customer, actor):
    client = client_for(getattr(personas, actor))
    response = client.post(
        "/customers/people/bulk/",
        {"action": "tag", "ids": [customer.pk], "confirmed": "1", "tag": "bulk-probe"},
    )
    expected = EXPECTED[actor][4]
    assert response.status_code == (403 if expected == 403 else 302)
    assert _tagged(customer) is (expected is True)


@pytest.mark.parametrize("actor", ["manager", "admin", "teammate", "other_rep"])
def test_bulk_delete_select_all_is_scoped(personas, customer, actor):
    user = getattr(personas, actor)
    Role.objects.filter(slug="sales").update(
        permissions={"customers": ["view", "add", "change", "delete"]}
    )
    mine = person(user, "Own", "Record")
    client = client_for(user)
    response = client.post(
        "/customers/people/bulk/",
        {"action": "delete", "select_all": "1", "query": "", "confirmed": "1"},
    )
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=mine.pk).exists()
    assert Customer.objects.filter(pk=customer.pk).exists() is (EXPECTED[actor][0] == 404)


@pytest.mark.parametrize("actor", ["teammate", "other_rep"])
def test_bulk_delete_by_ids_ignores_invisible(personas, customer, actor):
    Role.objects.filter(slug="sales").update(
        permissions={"customers": ["view", "add", "change", "delete"]}
    )
    client = client_for(getattr(personas, actor))
    client.post(
        "/customers/people/bulk/", {"action": "delete", "ids": [customer.pk], "confirmed": "1"}
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_api(personas, customer, actor):
    client = client_for(getattr(personas, actor))
    url = f"/api/v1/customers/people/{customer.pk}"
    get, patch, delete = EXPECTED[actor][5:]
    response = client.get(url)
    assert response.status_code == get
    if get == 404:
        assert response.json() == {"error": {"status": 404, "message": "Not found."}}
    response = client.patch(
        url, {"first_name": "Api", "version": customer.version}, content_type="application/json"
    )
    assert response.status_code == patch
    assert (Customer.objects.get(pk=customer.pk).first_name == "Api") is (patch == 200)
    assert client.delete(url).status_code == delete
    assert Customer.objects.filter(pk=customer.pk).exists() is (delete != 204)


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_and_search_scoped(personas, customer, actor):
    client = client_for(getattr(personas, actor))
    visible = EXPECTED[actor][0] == 200
    assert (b"Matrix Target" in client.get("/customers/people/").content) is visible
    assert (b"Matrix Target" in client.get("/search/?q=Matrix").content) is visible
    names = [i["name"] for i in client.get("/api/v1/customers/people").json()["items"]]
    assert ("Matrix Target" in names) is visible
    hits = [h["name"] for h in client.get("/api/v1/customers/search?q=Matrix").json()]
    assert ("Matrix Target" in hits) is visible


def test_team_visibility_for_service_role(personas):
    agent = make_user("agent", "service", personas.team_a)
    assert Role.objects.get(slug="service").visibility == "team"
    same_team = person(personas.rep, "Team", "Alpha")
    other_team = person(personas.other_rep, "Team", "Beta")
    client = client_for(agent)
    assert client.get(f"/customers/people/{same_team.pk}/").status_code == 200
    assert client.get(f"/customers/people/{other_team.pk}/").status_code == 404
    assert client.get(f"/api/v1/customers/people/{other_team.pk}").status_code == 404


def test_team_visibility_without_team_is_own(personas):
    loner = make_user("loner", "service")
    own = person(loner, "Lone", "Wolf")
    client = client_for(loner)
    assert client.get(f"/customers/people/{own.pk}/").status_code == 200
    assert client.get(f"/customers/people/{person(personas.rep).pk}/").status_code == 404


def test_subordinates_recursive(personas):
    junior = make_user("junior", "sales", personas.team_a, personas.rep)
    intern = make_user("intern", "sales", personas.team_a, junior)
    deep = person(intern, "Deep", "Report")
    manager_b = personas.other_rep.manager
    assert client_for(personas.manager).get(f"/customers/people/{deep.pk}/").status_code == 200
    assert client_for(manager_b).get(f"/customers/people/{deep.pk}/").status_code == 404
    # own visibility: a rep does not see their report's records (the Sales role is "own")
    assert client_for(personas.rep).get(f"/customers/people/{deep.pk}/").status_code == 404
    # giving the rep's role subordinates visibility makes it visible
    Role.objects.filter(slug="sales").update(visibility="subordinates")
    assert client_for(personas.rep).get(f"/customers/people/{deep.pk}/").status_code == 200
    assert (
        client_for(intern).get(f"/customers/people/{person(personas.rep).pk}/").status_code == 404
    )


def test_inactive_user_sees_nothing(personas, customer):
    client = client_for(personas.rep)
    personas.rep.is_active = False
    personas.rep.save()
    response = client.get(f"/customers/people/{customer.pk}/")
    assert response.status_code in (302, 403, 404)
