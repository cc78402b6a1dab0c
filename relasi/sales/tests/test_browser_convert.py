"""Lead conversion in Chromium: the rep sees the product line total beside the value she
typed, keeps her value by default (or chooses the line total), and lands on the new deal."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.sales.models import Lead
from relasi.sales.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


@pytest.fixture
def lead(live_server):
    people = make_personas()
    f.pipeline()
    product = f.product(price="529000")
    return f.lead(
        people.rep,
        company="PT Sinar Abadi",
        expected_value=15_000_000,
        product_interest=product,
        email="budi@sinar.test",
    )


def convert_page(page, live_server, lead):
    log_in(page, live_server.url, "rep", next_path=f"/sales/leads/{lead.pk}/")
    page.get_by_role("link", name="Convert").click()
    expect(page.get_by_role("heading", name="Convert lead")).to_be_visible()


def test_conversion_keeps_the_value_the_rep_typed(page, live_server, lead):
    convert_page(page, live_server, lead)
    choice = page.locator("#value-choice")
    expect(choice).to_contain_text("529,000")
    expect(page.locator("#vs-typed")).to_be_checked()
    page.fill("input[name=value]", "15000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Convert").click()
    expect(page.locator("#deal-value")).to_contain_text("15,000,000")
    expect(page.locator("#deal-value")).to_contain_text("the lines add up to")
    deal = Lead.objects.get(pk=lead.pk).converted_deal
    assert deal.value == Decimal("15000000") and deal.value_source == "typed"


def test_conversion_with_the_line_total_on_a_phone(page, live_server, lead):
    page.set_viewport_size(PHONE)
    convert_page(page, live_server, lead)
    assert horizontal_overflow(page) == []
    page.locator("label[for=vs-lines]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Convert").click()
    expect(page.locator("#deal-value")).to_contain_text("529,000")
    deal = Lead.objects.get(pk=lead.pk).converted_deal
    assert deal.value == Decimal("529000") and deal.value_source == "lines"
