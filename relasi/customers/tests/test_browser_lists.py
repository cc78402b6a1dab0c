"""The generic list in Chromium: at 1280 px every default column of the people list is on
screen (filters move to a panel below 1400 px); at 375 px each row is a card with labelled
fields. Screenshots go to RELASI_SCREENSHOT_DIR when it is set."""

import os

import pytest

from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def _shot(page, name):
    folder = os.environ.get("RELASI_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_people_list_at_1280_and_375(page, live_server):
    people = make_personas()
    for first in ("Budi", "Siti", "Agus"):
        person(people.rep, first, "Santoso", phones=["+6281234567890"])
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server.url, "rep", next_path="/customers/people/")
    width = page.evaluate("window.innerWidth")
    for label in ("Stage", "Owner"):
        header = page.locator("table.table-records th", has_text=label).first
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, (label, box, width)
    _shot(page, "people-list-1280.png")

    page.set_viewport_size(PHONE)
    page.reload()
    assert horizontal_overflow(page) == []
    assert not page.locator("table.table-records thead").is_visible()
    row = page.locator("table.table-records tbody tr").first
    assert row.locator("td.cell-title a").is_visible()
    owner = row.locator('td[data-label="Owner"]')
    assert owner.is_visible()
    before = owner.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Owner" in before
    assert row.bounding_box()["height"] > 60  # a card, several lines
    _shot(page, "people-list-375.png")
