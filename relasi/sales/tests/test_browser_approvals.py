"""An approval round trip in Chromium: the rep asks for a discount approval, the manager sees
the bell notification, opens it and approves, the rep sees the result notification. And the
home pages fit a phone."""

import re

import pytest
from playwright.sync_api import expect

from relasi.core.tests.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    browser_fixtures,
    horizontal_overflow,
    log_in,
)
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import person
from relasi.sales.actions import quotes as quote_actions
from relasi.sales.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


@pytest.fixture
def quote(live_server):
    people = make_personas()
    customer = person(people.rep, "Rina", "Wati", emails=["rina@example.test"])
    deal = f.deal(people.rep, f.pipeline(), "Negotiation", "5000000", customer=customer)
    q = quote_actions.create_quote(
        people.rep,
        deal,
        lines=[{"description": "Blender", "unit_price": "1000000", "discount_percent": "25"}],
    )
    return people, q


def open_bell(pg):
    pg.locator("#notification-bell > button").click()
    return pg.locator("#notification-bell .dropdown-menu")


def test_approval_round_trip_with_notifications(page, chromium, live_server, quote):
    _people, q = quote
    log_in(page, live_server.url, "rep", next_path=q.get_absolute_url())
    page.get_by_role("button", name="Request approval").click()
    expect(page.locator("#quote-status")).to_have_text("Awaiting approval")

    context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    manager = context.new_page()
    errors: list[str] = []
    manager.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(manager, live_server.url, "manager")
        expect(manager.locator("#home-approvals")).to_contain_text(q.number)
        expect(manager.locator("[data-bell-count]")).to_have_text("1")
        menu = open_bell(manager)
        expect(menu).to_contain_text(f"asks you to approve a 25 % discount on quote {q.number}")
        menu.get_by_role("button", name=re.compile(q.number)).click()
        expect(manager).to_have_url(f"{live_server.url}{q.get_absolute_url()}")
        manager.get_by_label("Note").fill("OK for this customer")
        manager.get_by_role("button", name="Approve", exact=True).click()
        expect(manager.locator("#quote-status")).to_have_text("Approved")
        expect(manager.locator("[data-bell-count]")).to_have_count(0)  # read when opened
    finally:
        context.close()
    assert errors == []

    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-bell-count]")).to_have_text("1")
    menu = open_bell(page)
    expect(menu).to_contain_text(f"manager approved the 25 % discount on quote {q.number}")
    page.goto(f"{live_server.url}/approvals/?tab=requested")
    expect(page.locator("#approval-items")).to_contain_text("Approved")
    expect(page.locator("#approval-items")).to_contain_text(q.number)


@pytest.mark.parametrize("who", ["rep", "manager", "admin"])
def test_home_pages_fit_a_phone(chromium, live_server, quote, who):
    context = chromium.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        log_in(pg, live_server.url, who)
        expect(pg.locator(".home-panels section").first).to_be_visible()
        assert horizontal_overflow(pg) == []
    finally:
        context.close()
