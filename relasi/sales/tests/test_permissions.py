"""Visibility matrix: a rep sees own records, a manager their subordinates', another team's
rep nothing; invisible records are 404 in the UI and the API, never 403."""

import pytest

from relasi.sales.actions import quotes as quote_actions
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    p = f.pipeline()
    lead = f.lead(personas.rep)
    deal = f.deal(personas.rep, p)
    quote = quote_actions.create_quote(
        personas.rep, deal, lines=[{"description": "x", "unit_price": 1000}]
    )
    return personas, lead, deal, quote


MATRIX = [
    ("rep", True),
    ("teammate", False),
    ("manager", True),
    ("admin", True),
    ("other_rep", False),
    ("readonly", True),
]


@pytest.mark.parametrize(("who", "visible"), MATRIX)
def test_detail_pages(world, as_user, who, visible):
    personas, lead, deal, quote = world
    client = as_user(getattr(personas, who))
    for url in (lead.get_absolute_url(), deal.get_absolute_url(), quote.get_absolute_url()):
        assert client.get(url).status_code == (200 if visible else 404), (who, url)


@pytest.mark.parametrize(("who", "visible"), MATRIX)
def test_api(world, as_user, who, visible):
    personas, lead, deal, quote = world
    client = as_user(getattr(personas, who))
    for url in (
        f"/api/v1/sales/leads/{lead.pk}",
        f"/api/v1/sales/deals/{deal.pk}",
        f"/api/v1/sales/quotes/{quote.pk}",
    ):
        assert client.get(url).status_code == (200 if visible else 404), (who, url)
    ids = [x["id"] for x in client.get("/api/v1/sales/deals").json()["items"]]
    assert (deal.pk in ids) == visible


def test_lists_only_show_visible(world, as_user):
    personas, _lead, _deal, _quote = world
    f.lead(personas.other_rep, email="other@example.test", first_name="Zaki")
    page = as_user(personas.rep).get("/sales/leads/").content.decode()
    assert "Budi Santoso" in page and "Zaki" not in page
    assert "Zaki" in as_user(personas.admin).get("/sales/leads/").content.decode()


def test_writes_need_module_permission(world, as_user):
    personas, lead, deal, _quote = world
    ro = as_user(personas.readonly)
    assert (
        ro.post(
            f"/api/v1/sales/deals/{deal.pk}/move",
            {"stage_id": deal.stage_id, "version": 1},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        ro.patch(
            f"/api/v1/sales/leads/{lead.pk}",
            {"version": 1, "city": "X"},
            content_type="application/json",
        ).status_code
        == 403
    )
    other = as_user(personas.other_rep)
    assert (
        other.patch(
            f"/api/v1/sales/leads/{lead.pk}",
            {"version": 1, "city": "X"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert other.post(f"/sales/leads/{lead.pk}/status/", {"status": "contacted"}).status_code == 404


def test_products_are_catalogue_data(world, as_user):
    personas, *_ = world
    prod = f.product()
    assert as_user(personas.rep).get(f"/api/v1/sales/products/{prod.pk}").status_code == 200
    body = {"sku": "NEW-1", "name": "New", "unit_price": "1000"}
    assert (
        as_user(personas.rep)
        .post("/api/v1/sales/products", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        as_user(personas.manager)
        .post("/api/v1/sales/products", body, content_type="application/json")
        .status_code
        == 201
    )
    assert as_user(personas.rep).get("/sales/products/new/").status_code == 403
