"""Issue #19: inputs that used to crash with 500 answer 4xx with a clear message (API and list
pages), every JSON answer says charset=utf-8, and no input may carry NUL or bidi overrides."""

import django_filters
import pytest
from django import forms
from django.test import Client

from relasi.accounts.models import ApiToken
from relasi.core.filters import FilterSet
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"  # beyond 64 bits
JSON_UTF8 = "application/json; charset=utf-8"


@pytest.fixture
def api(personas):
    token, raw = ApiToken.generate(user=personas.admin, name="t", scopes={"*": "write"})
    token.save()
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_relasi_filterset_stands_on_the_core_base():
    import relasi.urls  # noqa: F401  (imports every app's filtersets)

    ours = [
        c for c in _all_subclasses(django_filters.FilterSet) if c.__module__.startswith("relasi.")
    ]
    assert len(ours) >= 8
    strays = [c.__qualname__ for c in ours if not issubclass(c, FilterSet)]
    assert strays == []


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/activities/meetings?customer={HUGE}",
        f"/api/v1/activities/visits?customer={HUGE}",
        f"/api/v1/sales/deals?customer={HUGE}",
        f"/api/v1/service/tickets?customer={HUGE}",
        f"/api/v1/commerce/orders?customer_id={HUGE}",
        "/api/v1/activities/meetings?customer=1.5",
    ],
)
def test_api_filters_beyond_64_bits_are_not_a_500(api, url):
    r = api.get(url)
    assert r.status_code in (200, 422), r.content
    assert r["Content-Type"] == JSON_UTF8
    if r.status_code == 422:
        assert r.json()["error"]["details"]


@pytest.mark.parametrize(
    "url",
    [
        "/activities/meetings/",
        "/activities/visits/",
        "/activities/tasks/",
        "/sales/deals/",
        "/service/tickets/",
        "/commerce/orders/",
    ],
)
def test_list_pages_with_huge_filters_answer(personas, url):
    client = client_for(personas.admin)
    client.raise_request_exception = False
    for param in ("customer", "owner", "team", "pipeline", "stage", "store"):
        r = client.get(f"{url}?{param}={HUGE}")
        assert r.status_code == 200, (url, param, r.status_code)


def test_lead_convert_with_a_non_id_person_is_422(api, personas):
    from relasi.sales.tests.factories import lead

    item = lead(personas.rep)
    url = f"/api/v1/sales/leads/{item.pk}/convert"
    for person_value in ("abc", HUGE, -1.5):
        r = api.post(url, {"person": person_value}, content_type="application/json")
        assert r.status_code in (404, 422), (person_value, r.content)
        assert r["Content-Type"] == JSON_UTF8


def test_import_errors_with_a_negative_offset(api, personas):
    from relasi.integrations.tests.helpers import HEADER, csv_bytes, new_import, people

    job = new_import(personas.admin, csv_bytes([HEADER, *people(2)]))
    r = api.get(f"/api/v1/integrations/imports/{job.pk}/errors?offset=-200")
    assert r.status_code in (200, 422), r.content
    r = api.get(f"/api/v1/integrations/imports/{job.pk}/errors?offset={HUGE}")
    assert r.status_code in (200, 422), r.content


def test_group_members_with_a_huge_id(api, personas):
    from relasi.customers.models import Group

    group = Group.objects.create(name="VIP", owner=personas.admin)
    url = f"/api/v1/customers/groups/{group.pk}/members"
    r = api.post(url, {"customer_ids": [int(HUGE)]}, content_type="application/json")
    assert r.status_code in (200, 422), r.content
    r = api.delete(f"{url}/{HUGE}")
    assert r.status_code == 404, r.content


@pytest.mark.parametrize("url", ["/api/v1/nope", "/api/v1/customers/people", "/health/"])
def test_json_answers_carry_charset(api, personas, url):
    person(personas.admin)
    r = api.get(url)
    assert r["Content-Type"] == JSON_UTF8, (url, r.status_code)


def test_json_error_answers_carry_charset(personas, settings):
    anonymous = Client()
    assert anonymous.get("/api/v1/customers/people")["Content-Type"] == JSON_UTF8
    r = Client().post("/api/v1/customers/people", "{", content_type="application/json")
    assert r["Content-Type"] == JSON_UTF8


@pytest.mark.parametrize("bad", ["Siti\x00", "Siti\u202egnp.exe", "a\u2066b", "\u202a"])
def test_api_refuses_nul_and_bidi_controls(api, bad):
    body = {"kind": "person", "first_name": bad, "last_name": "Rahayu"}
    r = api.post("/api/v1/customers/people", body, content_type="application/json")
    assert r.status_code == 422, r.content
    detail = r.json()["error"]["details"][0]
    assert detail["loc"] == ["body", "first_name"] and "U+" in detail["msg"]
    r = api.get("/api/v1/customers/search", {"q": bad})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"][0] == "query"
    from relasi.customers.models import Customer

    assert not Customer.objects.exists()


def test_api_accepts_ordinary_unicode(api):
    body = {
        "kind": "person",
        "first_name": "Dwi \u00c7elik 李",
        "last_name": "\u0645\u062d\u0645\u062f",
    }
    r = api.post("/api/v1/customers/people", body, content_type="application/json")
    assert r.status_code == 201, r.content


def test_every_form_text_field_refuses_them():
    class AnyForm(forms.Form):
        name = forms.CharField()
        notes = forms.CharField(widget=forms.Textarea)

    form = AnyForm({"name": "PT Maju\u202e", "notes": "fine"})
    assert not form.is_valid() and "U+202E" in form.errors["name"][0]
    assert AnyForm({"name": "PT Maju", "notes": "a\u2069"}).errors.keys() == {"notes"}
    assert AnyForm({"name": "PT Maju", "notes": "Catatan"}).is_valid()


def test_the_person_form_refuses_them(personas):
    client = client_for(personas.admin)
    client.post(
        "/customers/people/new/",
        {"first_name": "Ayu\u202e", "last_name": "Lestari", "customer_type": "b2c"},
    )
    from relasi.customers.models import Customer

    assert not Customer.objects.filter(first_name__startswith="Ayu").exists()


def test_lead_convert_action_refuses_a_non_id_choice(personas):
    """The UI's convert form sends free text too: the action says what it accepts."""
    from django.core.exceptions import ValidationError

    from relasi.sales.actions import leads as lead_actions
    from relasi.sales.tests.factories import lead

    item = lead(personas.rep)
    with pytest.raises(ValidationError) as exc:
        lead_actions.convert_lead(personas.rep, item, person="abc", organization="skip")
    assert "person" in exc.value.message_dict


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/sales/deals?customer={HUGE}",
        "/api/v1/sales/deals?status=bogus",
        "/api/v1/sales/quotes?status=bogus",
    ],
)
def test_sales_lists_refuse_a_bad_filter_like_every_app(api, url):
    """A filter the list cannot apply is a 422 naming it, not an empty or unfiltered 200."""
    r = api.get(url)
    assert r.status_code == 422, (url, r.status_code, r.content[:200])
    assert r.json()["error"]["details"]
