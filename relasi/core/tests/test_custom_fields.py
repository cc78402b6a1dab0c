"""Custom fields end to end: defined in the UI, in forms (validated), detail, list filters,
CSV export and the API."""

import csv
import io

import pytest

from relasi.core.models import CustomField
from relasi.core.testing import client_for
from relasi.core.tests.test_object_access import edit_data
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

FIELDS = [
    ("note", "text", ""),
    ("visits", "number", ""),
    ("spend", "decimal", ""),
    ("since", "date", ""),
    ("vip", "boolean", ""),
    ("tier", "choice", "Gold\nSilver"),
    ("hobbies", "multi_choice", "Golf\nBadminton\nCatur"),
]


@pytest.fixture
def defined(personas):
    admin = client_for(personas.admin)
    for key, kind, choices in FIELDS:
        response = admin.post(
            "/settings/custom-fields/new/",
            {
                "model_label": "customers.person",
                "key": key,
                "label": key.title(),
                "field_type": kind,
                "choices_text": choices,
                "order": 0,
                "active": "on",
            },
        )
        assert response.status_code == 302, response.content[:2000]
    assert CustomField.objects.count() == len(FIELDS)
    assert CustomField.objects.get(key="tier").choices == ["Gold", "Silver"]
    return personas


def test_choice_field_needs_choices(personas):
    response = client_for(personas.admin).post(
        "/settings/custom-fields/new/",
        {
            "model_label": "customers.person",
            "key": "x",
            "label": "X",
            "field_type": "choice",
            "order": 0,
        },
    )
    assert response.status_code == 400
    assert not CustomField.objects.exists()


def test_non_admin_cannot_define(personas):
    response = client_for(personas.manager).post(
        "/settings/custom-fields/new/",
        {"model_label": "customers.person", "key": "x", "label": "X", "field_type": "text"},
    )
    assert response.status_code == 403


def _values() -> dict[str, object]:
    return {
        "cf_note": "catatan",
        "cf_visits": "7",
        "cf_spend": "1500000.50",
        "cf_since": "2024-01-31",
        "cf_vip": "on",
        "cf_tier": "Gold",
        "cf_hobbies": ["Golf", "Catur"],
    }


def test_form_detail_filter_export(defined):
    customer = person(defined.rep, "Custom", "Fields")
    client = client_for(defined.rep)
    form_page = client.get(f"/customers/people/{customer.pk}/edit/").content.decode()
    for key, _kind, _c in FIELDS:
        assert f'name="cf_{key}"' in form_page
    response = client.post(
        f"/customers/people/{customer.pk}/edit/", edit_data(customer, **_values())
    )
    assert response.status_code == 302, response.content[:3000]
    stored = Customer.objects.get(pk=customer.pk).custom
    assert stored == {
        "note": "catatan",
        "visits": 7,
        "spend": "1500000.50",
        "since": "2024-01-31",
        "vip": True,
        "tier": "Gold",
        "hobbies": ["Golf", "Catur"],
    }
    detail = client.get(f"/customers/people/{customer.pk}/").content.decode()
    for shown in ("catatan", "1500000.50", "Gold", "Golf, Catur"):
        assert shown in detail
    other = person(defined.rep, "Plain", "Person", emails=[])
    for params in (
        {"cf_tier": "Gold"},
        {"cf_visits": "7"},
        {"cf_spend": "1500000.50"},
        {"cf_hobbies": "Catur"},
        {"cf_note": "cata"},
        {"cf_vip": "true"},
    ):
        html = client.get("/customers/people/", params).content.decode()
        assert "Custom Fields" in html and "Plain Person" not in html, params
    export = client.get("/customers/people/export/", {"cols": "name,cf_tier,cf_hobbies,cf_visits"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode()[1:])))
    assert rows[0] == ["Name", "Tier", "Hobbies", "Visits"]
    assert ["Custom Fields", "Gold", "Golf, Catur", "7"] in rows
    assert other.pk


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("cf_visits", "seven"),
        ("cf_tier", "Platinum"),
        ("cf_since", "31/31/2024"),
        ("cf_spend", "1e999x"),
    ],
)
def test_form_rejects_bad_values(defined, field, bad):
    customer = person(defined.rep, "Custom", "Bad")
    client = client_for(defined.rep)
    response = client.post(
        f"/customers/people/{customer.pk}/edit/", edit_data(customer, **{field: bad})
    )
    assert response.status_code == 400
    assert (
        b"invalid-feedback" in response.content
        or b"errorlist" in response.content
        or b"is-invalid" in response.content
    )
    assert Customer.objects.get(pk=customer.pk).custom == customer.custom


def test_api_custom_values(defined):
    client = client_for(defined.rep)
    created = client.post(
        "/api/v1/customers/people",
        {"first_name": "Api", "custom": {"tier": "Silver", "visits": 3, "hobbies": ["Golf"]}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["custom"]["tier"] == "Silver" and body["custom"]["visits"] == 3
    url = f"/api/v1/customers/people/{body['id']}"
    assert client.get(url).json()["custom"]["hobbies"] == ["Golf"]
    for bad in ({"tier": "Platinum"}, {"visits": "many"}, {"unknown": 1}, {"since": "yesterday"}):
        version = client.get(url).json()["version"]
        response = client.patch(
            url, {"custom": bad, "version": version}, content_type="application/json"
        )
        assert response.status_code == 422, bad
        assert response.json()["error"]["status"] == 422
    version = client.get(url).json()["version"]
    ok = client.patch(
        url, {"custom": {"vip": True}, "version": version}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["custom"]["vip"] is True and ok.json()["custom"]["tier"] == "Silver"
    bad_create = client.post(
        "/api/v1/customers/people",
        {"first_name": "X", "custom": {"tier": "Nope"}},
        content_type="application/json",
    )
    assert bad_create.status_code == 422


def test_manager_with_admin_view_opens_a_custom_field_page(personas, as_user):
    """Configuration tables have no owner: a manager (subordinates visibility) must not crash
    on their detail pages (the generic view filtered by owner a second time)."""
    from relasi.core.models import CustomField

    cf = CustomField.objects.create(
        model_label="customers.person", key="hobby", label="Hobby", field_type="text"
    )
    assert as_user(personas.manager).get(f"/settings/custom-fields/{cf.pk}/").status_code == 200
