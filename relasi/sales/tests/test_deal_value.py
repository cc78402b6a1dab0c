"""A value the rep typed is never replaced by the lines' sum without the rep choosing it
(lead conversion, the lines editor, deal edits and the API)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from relasi.sales.actions import deals as deal_actions
from relasi.sales.actions import leads as actions
from relasi.sales.models import Deal
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(personas):
    f.pipeline()
    product = f.product(price="529000")
    return f.lead(personas.rep, expected_value=15_000_000, product_interest=product)


def test_conversion_keeps_the_typed_value_by_default(personas, lead):
    converted = actions.convert_lead(
        personas.rep, lead, person="new", organization=None, create_deal=True, force=True
    )
    deal = Deal.objects.get(pk=converted.converted_deal_id)
    assert deal.value == Decimal("15000000")
    assert deal.value_source == "typed"
    assert [ln.line_total for ln in deal.lines.all()] == [Decimal("529000")]


def test_conversion_uses_the_line_total_when_chosen(personas, lead):
    assert actions.conversion_lines_total(lead) == Decimal("529000")
    converted = actions.convert_lead(
        personas.rep,
        lead,
        person="new",
        organization=None,
        create_deal=True,
        value_source="lines",
        force=True,
    )
    deal = Deal.objects.get(pk=converted.converted_deal_id)
    assert deal.value == Decimal("529000") and deal.value_source == "lines"


def test_conversion_page_shows_the_line_total_and_keeps_the_typed_value(personas, lead, as_user):
    client = as_user(personas.rep)
    page = client.get(f"/sales/leads/{lead.pk}/convert/").content.decode()
    assert 'id="value-choice"' in page and "529,000" in page
    assert 'value="typed" checked' in page
    response = client.post(
        f"/sales/leads/{lead.pk}/convert/",
        {
            "person": "new",
            "organization": "",
            "create_deal": "on",
            "deal_name": "Rice cookers",
            "value": "15000000",
            "value_source": "typed",
            "version": lead.version,
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_deal.value == Decimal("15000000")


def test_conversion_page_asks_when_a_new_value_and_the_line_total_are_both_chosen(
    personas, lead, as_user
):
    response = as_user(personas.rep).post(
        f"/sales/leads/{lead.pk}/convert/",
        {
            "person": "new",
            "create_deal": "on",
            "value": "20000000",
            "value_source": "lines",
            "version": lead.version,
        },
    )
    assert response.status_code == 200
    assert "choose which one" in response.content.decode()
    lead.refresh_from_db()
    assert lead.converted_deal_id is None


def test_convert_api_value_source(personas, lead, as_user):
    client = as_user(personas.rep)
    url = f"/api/v1/sales/leads/{lead.pk}/convert"
    bad = client.post(
        url,
        {"person": "new", "create_deal": True, "value_source": "sum", "force": True},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422)
    ok = client.post(
        url,
        {"person": "new", "organization": None, "create_deal": True, "force": True},
        content_type="application/json",
    )
    assert ok.status_code == 200
    deal = client.get(f"/api/v1/sales/deals/{ok.json()['converted_deal_id']}").json()
    assert Decimal(deal["value"]) == Decimal("15000000") and deal["value_source"] == "typed"


def test_convert_api_lines_choice(personas, lead, as_user):
    response = as_user(personas.rep).post(
        f"/api/v1/sales/leads/{lead.pk}/convert",
        {
            "person": "new",
            "organization": None,
            "create_deal": True,
            "value_source": "lines",
            "force": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    deal = Deal.objects.get(pk=response.json()["converted_deal_id"])
    assert deal.value == Decimal("529000")


def test_editing_lines_keeps_a_typed_value_until_the_rep_chooses_lines(personas, as_user):
    p = f.pipeline()
    product = f.product(price="100000")
    deal = f.deal(personas.rep, p, value="15000000")
    assert deal.value_source == "typed"
    deal = deal_actions.set_lines(personas.rep, deal, [{"product": product, "quantity": 2}])
    assert deal.value == Decimal("15000000")
    client = as_user(personas.rep)
    page = client.get(f"/sales/deals/{deal.pk}/lines/").content.decode()
    assert 'value="typed" checked' in page and "200,000" in page
    post = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-product": product.pk,
        "form-0-quantity": "3",
        "form-0-discount_percent": "0",
        "value_source": "lines",
    }
    assert client.post(f"/sales/deals/{deal.pk}/lines/", post).status_code == 302
    deal.refresh_from_db()
    assert deal.value == Decimal("300000") and deal.value_source == "lines"


def test_typing_a_value_on_a_deal_that_follows_its_lines(personas):
    p = f.pipeline()
    product = f.product(price="100000")
    deal = deal_actions.create_deal(
        personas.rep, {"name": "Fans", "pipeline": p}, lines=[{"product": product}]
    )
    assert deal.value_source == "lines" and deal.value == Decimal("100000")
    with pytest.raises(ValidationError):
        deal_actions.update_deal(
            personas.rep, deal, {"value": Decimal("999"), "value_source": "lines"}
        )
    deal = deal_actions.update_deal(personas.rep, deal, {"value": Decimal("250000")})
    assert deal.value == Decimal("250000") and deal.value_source == "typed"
    deal = deal_actions.set_lines(personas.rep, deal, [{"product": product, "quantity": 5}])
    assert deal.value == Decimal("250000")
    deal = deal_actions.update_deal(
        personas.rep, deal, {"value_source": "lines"}, expected_version=deal.version
    )
    assert deal.value == Decimal("500000")


def test_create_deal_api_keeps_a_typed_value_beside_lines(personas, as_user):
    p = f.pipeline()
    product = f.product(price="100000")
    client = as_user(personas.rep)
    body = {"name": "Fans", "pipeline_id": p.pk, "lines": [{"product_id": product.pk}]}
    typed = client.post(
        "/api/v1/sales/deals", {**body, "value": "700000"}, content_type="application/json"
    )
    assert typed.status_code == 201 and Decimal(typed.json()["value"]) == Decimal("700000")
    summed = client.post("/api/v1/sales/deals", body, content_type="application/json")
    assert Decimal(summed.json()["value"]) == Decimal("100000")
    assert summed.json()["value_source"] == "lines"


def test_a_line_with_an_unknown_product_is_a_validation_error(personas):
    """Not a 500 (Product.DoesNotExist) when a client sends a product id that is not there."""
    f.pipeline()
    with pytest.raises(ValidationError) as err:
        deal_actions.create_deal(
            personas.rep, {"name": "Kulkas"}, lines=[{"product": 987654321, "quantity": 1}]
        )
    assert "no such product" in str(err.value)
    assert not Deal.objects.filter(name="Kulkas").exists()
