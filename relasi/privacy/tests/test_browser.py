"""Consent in a real browser (Debian's Chromium via Playwright): a sales rep records a consent
on the 360° page; the customer changes her choices in the preference centre on a phone, in
Bahasa Indonesia. Run alone with `pytest -m browser -p no:xdist`."""

import pytest
from playwright.sync_api import expect

from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import person
from relasi.privacy import consent, links

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def test_rep_records_consent_and_customer_changes_it_on_a_phone(page, live_server):
    p = make_personas()
    c = person(p.rep, "Sari", "Dewi", phones=["081234567890"], preferred_language="id")
    log_in(page, live_server.url, p.rep.username, c.get_absolute_url())
    card = page.locator("#consents")
    expect(card).to_be_visible()
    card.get_by_role("button", name="+").click()
    page.select_option("#consent-form select[name=purpose]", value="marketing")
    page.select_option("#consent-form select[name=channel]", value="whatsapp")
    page.select_option("#consent-form select[name=status]", value="granted")
    page.select_option("#consent-form select[name=source]", value="staff_call")
    page.fill("#consent-form input[name=evidence]", "telepon 3 Des")
    page.click("#consent-form button[type=submit]")
    expect(
        page.locator('#consents td[data-purpose="marketing"][data-channel="whatsapp"]')
    ).to_have_attribute("data-status", "granted")
    assert consent.current_status(c, "marketing", "whatsapp") == "granted"
    # The customer opens her preference link on a phone (no account, her language).
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/" + links.preferences_url(c).split("/", 3)[3])
    expect(page.locator("h1")).to_have_text("Preferensi komunikasi Anda")
    assert horizontal_overflow(page) == []
    expect(page.locator("input[name=marketing__whatsapp]")).to_be_checked()
    page.uncheck("input[name=marketing__whatsapp]")
    page.get_by_role("button", name="Simpan pilihan saya").click()
    expect(page.locator(".alert")).to_contain_text("Pilihan Anda tersimpan")
    assert consent.current_status(c, "marketing", "whatsapp") == "withdrawn"
