"""Field visit journey in Debian's Chromium at phone width: pick the customer with the search
picker, check in with a mocked GPS position (permission granted), see the distance, check out.

Run alone with `pytest -m browser -p no:xdist`."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from relasi.activities.models import Visit
from relasi.core.tests.browser import (
    PHONE,
    TIMEOUT_MS,
    browser_fixtures,
    horizontal_overflow,
    log_in,
)
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.models import Address
from relasi.customers.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, _page = browser_fixtures()
MONAS = (-6.175392, 106.827153)


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    # ~110 m south of the customer's address
    context.set_geolocation({"latitude": MONAS[0] - 0.001, "longitude": MONAS[1], "accuracy": 15})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def test_check_in_and_out_on_a_phone(phone, live_server):
    p = make_personas()
    shop = person(p.rep, "Toko", "Makmur")
    Address.objects.create(
        customer=shop,
        city="Jakarta Pusat",
        is_primary=True,
        latitude=Decimal(str(MONAS[0])),
        longitude=Decimal(str(MONAS[1])),
    )
    log_in(phone, live_server.url, p.rep.username, next_path="/activities/visits/check-in/")
    expect(phone).to_have_url(re.compile(r"/activities/visits/check-in/"))
    assert horizontal_overflow(phone) == []

    phone.fill("[data-picker-input]", "makmur")
    phone.locator("[data-pick-id]").first.click()
    expect(phone).to_have_url(re.compile(rf"\?customer={shop.pk}$"))
    expect(phone.locator("#site-info")).to_be_visible()
    button = phone.locator("[data-geo-button]")
    expect(button).to_be_visible()
    assert button.bounding_box()["width"] > 300  # a big, thumb-sized button

    with phone.expect_navigation():
        button.click()
    visit = Visit.objects.get()
    expect(phone).to_have_url(re.compile(rf"/activities/visits/{visit.pk}/$"))
    assert abs(float(visit.in_lat) - (MONAS[0] - 0.001)) < 1e-6 and visit.in_accuracy_m == 15
    assert 105 <= visit.in_distance_m <= 116
    expect(phone.locator("#distance")).to_contain_text(f"{visit.in_distance_m} m")
    assert horizontal_overflow(phone) == []

    phone.select_option("select[name=outcome]", "order")
    phone.fill("textarea[name=notes]", "Pesan 10 karton")
    with phone.expect_navigation():
        phone.locator("[data-geo-button]").click()
    expect(phone.locator("#visit-state")).to_have_class(re.compile("text-bg-success"))
    visit.refresh_from_db()
    assert visit.checked_out_at is not None and visit.outcome == "order"
    assert visit.out_distance_m is not None and visit.notes == "Pesan 10 karton"


def test_check_in_when_location_is_refused(chromium, live_server):
    p = make_personas()
    shop = person(p.rep, "Toko", "Tanpaizin")
    context = chromium.new_context(viewport=PHONE, locale="en-GB")  # no permission granted
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(
            page,
            live_server.url,
            p.rep.username,
            next_path=f"/activities/visits/check-in/?customer={shop.pk}",
        )
        with page.expect_navigation():
            page.locator("[data-geo-button]").click()
        expect(page.locator("#distance")).to_be_visible()
        visit = Visit.objects.get()
        assert visit.in_lat is None and visit.in_distance_m is None
    finally:
        context.close()
