"""Issue #19: background notes on people (form, detail page, API, export) and dates of birth
that cannot be in the future (form, API; the importer has its own test)."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from relasi.accounts import actions as account_actions
from relasi.customers.models import Customer

pytestmark = pytest.mark.django_db

FORM = {"customer_type": "b2c", "lifecycle_stage": "prospect", "preferred_language": "id"}


def _api(user):
    from django.test import Client

    _t, raw = account_actions.issue_token(user, "test", {"customers": "write"})
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_background_notes_through_form_page_api_and_export(personas, as_user):
    client = as_user(personas.rep)
    response = client.post(
        "/customers/people/new/",
        {**FORM, "first_name": "Dewi", "background": "Ketemu di pameran\nSuka batik"},
    )
    assert response.status_code == 302
    dewi = Customer.objects.get(name="Dewi")
    assert dewi.background == "Ketemu di pameran\nSuka batik"
    html = client.get(dewi.get_absolute_url()).content.decode()
    assert 'id="background-notes"' in html and "Ketemu di pameran<br>Suka batik" in html
    api = _api(personas.rep)
    body = api.get(f"/api/v1/customers/people/{dewi.pk}").json()
    assert body["background"] == "Ketemu di pameran\nSuka batik"
    r = api.patch(
        f"/api/v1/customers/people/{dewi.pk}",
        {"background": "Pelanggan grosir", "version": body["version"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["background"] == "Pelanggan grosir"
    export = client.get("/customers/people/export/", {"cols": "name,background"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[1] == ["Dewi", "Pelanggan grosir"]


def test_future_birth_date_is_refused_by_form_and_api(personas, as_user):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = as_user(personas.rep).post(
        "/customers/people/new/",
        {**FORM, "first_name": "Nanti", "date_of_birth": tomorrow.isoformat()},
    )
    assert response.status_code == 400 and "future" in response.content.decode()
    api = _api(personas.rep)
    r = api.post(
        "/api/v1/customers/people",
        {"first_name": "Nanti", "date_of_birth": tomorrow.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 422 and "date_of_birth" in str(r.json())
    assert not Customer.objects.filter(name="Nanti").exists()
    today = timezone.localdate().isoformat()
    r = api.post(
        "/api/v1/customers/people",
        {"first_name": "Bayi", "date_of_birth": today},
        content_type="application/json",
    )
    assert r.status_code == 201
