"""A customer opens a ticket in the portal at phone width (Debian's Chromium via Playwright).

Run alone with `pytest -m browser -p no:xdist`."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import person
from relasi.service.models import Ticket, TicketType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def test_customer_opens_a_ticket_in_the_portal_on_a_phone(page, live_server):
    p = make_personas()
    customer = person(p.rep, "Dewi", "Lestari", emails=["dewi@example.test"])
    warranty, _c = TicketType.objects.get_or_create(
        key="warranty", defaults={"name": "Warranty claim", "name_id": "Klaim garansi"}
    )
    page.set_viewport_size(PHONE)
    mail.outbox.clear()
    page.goto(f"{live_server.url}/portal/login/")
    page.fill("input[name=email]", "dewi@example.test")
    page.click("#send-link")
    expect(page.locator("#link-sent")).to_be_visible()
    token = re.search(r"/portal/login/([\w-]+)/", mail.outbox[-1].body).group(1)
    page.goto(f"{live_server.url}/portal/login/{token}/")
    page.click("#redeem-button")
    expect(page).to_have_url(f"{live_server.url}/portal/")
    assert horizontal_overflow(page) == []
    page.click("#portal-new")
    page.select_option("select[name=ticket_type]", value=str(warranty.pk))
    page.fill("input[name=subject]", "Kipas angin mati")
    page.fill("textarea[name=description]", "Tidak berputar sejak kemarin.")
    assert horizontal_overflow(page) == []
    page.click("#portal-submit")
    expect(page.locator("h1")).to_contain_text("Kipas angin mati")
    ticket = Ticket.objects.get(subject="Kipas angin mati")
    assert ticket.customer_id == customer.pk and ticket.channel == "portal"
    expect(page.locator("#portal-number")).to_have_text(ticket.number)
    page.fill("textarea[name=body]", "Saya lampirkan foto nanti.")
    page.click("#portal-reply button[type=submit]")
    expect(page.locator("#conversation")).to_contain_text("Saya lampirkan foto nanti.")
    assert horizontal_overflow(page) == []
