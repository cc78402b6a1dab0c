import pytest

from relasi.customers import actions
from relasi.customers.search import search_customers
from relasi.customers.tests.factories import organization, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(personas):
    rep = personas.rep
    budi = person(rep, "Budi", "Santoso", emails=["budi.s@mail.test"], phones=["0812-1111-2222"])
    budiman = person(rep, "Budiman", "Hartono", emails=["bh@mail.test"])
    siti = person(rep, "Siti", "Nurhaliza", emails=["siti@mail.test"], phones=["+62 813 5555 6666"])
    org = organization(rep, "PT Sumber Makmur")
    actions.link_membership(rep, siti, org, "Direktur")
    actions.add_address(rep, budiman, {"city": "Surabaya", "province": "Jawa Timur"})
    hidden = person(personas.other_rep, "Budi", "Rahasia")
    return {"budi": budi, "budiman": budiman, "siti": siti, "org": org, "hidden": hidden}


def names(results):
    return [c.name for c in results]


def test_exact_name_ranks_first_then_prefix(personas, people):
    found = names(search_customers(personas.rep, "budi santoso"))
    assert found[0] == "Budi Santoso"
    found = names(search_customers(personas.rep, "budi"))
    assert found[:2] == ["Budi Santoso", "Budiman Hartono"] or set(found[:2]) == {
        "Budi Santoso",
        "Budiman Hartono",
    }


@pytest.mark.parametrize(
    "typed", ["0812 1111 2222", "+62 812-1111-2222", "62-812-1111-2222", "081211112222"]
)
def test_phone_in_any_format(personas, people, typed):
    assert names(search_customers(personas.rep, typed))[0] == "Budi Santoso"


def test_email_organisation_city_and_typo(personas, people):
    assert names(search_customers(personas.rep, "SITI@mail.test"))[0] == "Siti Nurhaliza"
    assert "Siti Nurhaliza" in names(search_customers(personas.rep, "sumber makmur"))
    assert "Budiman Hartono" in names(search_customers(personas.rep, "surabaya"))
    assert "Siti Nurhaliza" in names(search_customers(personas.rep, "nurhalisa"))  # typo


def test_search_respects_visibility(personas, people):
    assert "Budi Rahasia" not in names(search_customers(personas.rep, "budi"))
    assert "Budi Rahasia" in names(search_customers(personas.admin, "budi"))


@pytest.mark.parametrize(
    "q", ['"', "'", "*", "NEAR(a b)", ") OR 1=1 --", "a AND", "ünïcødé", "%_", "x" * 300]
)
def test_hostile_queries_do_not_crash(personas, people, q):
    search_customers(personas.rep, q)


def test_global_search_page_and_api(personas, people, as_user):
    client = as_user(personas.rep)
    html = client.get("/search/?q=budi", HTTP_HX_REQUEST="true").content.decode()
    assert "Budi Santoso" in html and "Budi Rahasia" not in html
    data = client.get("/api/v1/customers/search?q=budi").json()
    assert next(d["name"] for d in data) in ("Budi Santoso", "Budiman Hartono")
    assert all(d["name"] != "Budi Rahasia" for d in data)
