"""Issue #19 in Chromium: an import with a bad phone imports the row and shows the warning with
its line; the person page flags the number. Run alone with `pytest -m browser -p no:xdist`."""

import re

import pytest
from playwright.sync_api import expect

from relasi.core.tests.browser import browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.models import Customer
from relasi.integrations.tests.helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def test_import_with_a_bad_phone_keeps_the_row_and_warns(page, live_server):
    p = make_personas()
    data = csv_bytes(
        [
            ["Nama", "No. HP", "Surel", "Catatan"],
            ["Siti Rahayu", "0812-3456-7890", "siti@contoh.co.id", "Pelanggan lama"],
            ["Budi Santoso", "12345", "budi@contoh.co.id", ""],
        ]
    )
    log_in(page, live_server.url, p.admin.username, next_path="/integrations/imports/new/")
    expect(page).to_have_url(re.compile(r"/integrations/imports/new/"))
    page.select_option("#target", "people")
    page.set_input_files(
        "#file", files=[{"name": "kontak.csv", "mimeType": "text/csv", "buffer": data}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#preview")).to_contain_text("Budi Santoso")
    expect(page.locator("select[name=col_1]")).to_have_value("phones")
    expect(page.locator("#invalid_phones")).to_have_value("keep")
    with page.expect_navigation():
        page.get_by_role("button", name="Start import").click()
    counts = page.locator("#import-counts")
    expect(counts).to_contain_text("Created")
    warnings = page.locator("#warning-rows")
    expect(warnings).to_be_visible()
    row = warnings.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("3")
    expect(row.locator("td").nth(1)).to_contain_text("12345 is not a valid phone number")
    assert horizontal_overflow(page) == []
    budi = Customer.objects.get(name="Budi Santoso")
    assert Customer.objects.filter(kind="person").count() == 2
    with page.expect_navigation():
        row.get_by_role("link", name="Budi Santoso").click()
    expect(page).to_have_url(re.compile(rf"/customers/people/{budi.pk}/"))
    expect(page.get_by_text("invalid number")).to_be_visible()
