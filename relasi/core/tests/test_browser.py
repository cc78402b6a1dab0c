"""Browser journeys in Debian's Chromium (Playwright): sign in, switch to Bahasa Indonesia, use a
list at phone width, the command palette, the bulk bar, sign out.

Run alone with `pytest -m browser -p no:xdist` (scripts/run_tests.py does it for `make test`)."""

import re

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import organization, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def indonesian(text: str) -> str:
    """The Indonesian rendering of `text` from the compiled catalogs (Relasi's, then Django's)."""
    with translation.override("id"):
        return translation.gettext(text)


def test_log_in_lands_on_home(page, live_server):
    p = make_personas()
    page.goto(f"{live_server.url}/customers/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    log_in(page, live_server.url, p.rep.username, next_path="")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text("rep")
    expect(page.locator("#user-menu")).to_be_visible()


def test_wrong_password_stays_on_login(page, live_server):
    p = make_personas()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", p.rep.username)
    page.fill("input[name=password]", "not the password at all")
    page.click("#login-button")
    expect(page.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_switch_to_bahasa_indonesia(page, live_server):
    p = make_personas()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # On the sign-in page: the language buttons under the form.
    page.click("#lang-id")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    password_label = indonesian("Password")
    assert password_label != "Password"  # Django ships this one ("Kata sandi")
    expect(page.locator("label[for=id_password]")).to_contain_text(password_label)
    log_in(page, live_server.url, p.rep.username)
    expect(page.locator("html")).to_have_attribute("lang", "id")

    # In the shell: back to English, then to Indonesian with the top-bar switch.
    page.click("#lang-menu")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#lang-menu")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    for text in ("Sign out", "Home", "Customers"):
        if (shown := indonesian(text)) != text:  # once Relasi's catalog translates it
            expect(page.locator("body")).to_contain_text(shown)

    # Dates are formatted the Indonesian way (Django's own formats and month names).
    customer = person(p.rep, "Dewi", "Lestari")
    page.goto(f"{live_server.url}/customers/people/{customer.pk}/")
    created = timezone.localtime(customer.created_at).date()
    with translation.override("id"):
        shown = formats.date_format(created, "DATE_FORMAT")
    with translation.override("en"):
        assert shown != formats.date_format(created, "DATE_FORMAT")
    expect(page.locator("body")).to_contain_text(shown)


def test_people_list_at_phone_width(page, live_server):
    p = make_personas()
    names = [("Siti", "Rahayu"), ("Budi", "Santoso"), ("Agus", "Wijaya")]
    customers = [person(p.rep, first, last) for first, last in names]
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, p.rep.username, next_path="/customers/people/")
    expect(page).to_have_url(f"{live_server.url}/customers/people/")
    table = page.locator("table.table-records")
    expect(table).to_be_visible()
    for first, last in names:
        expect(table).to_contain_text(f"{first} {last}")
    assert not horizontal_overflow(page), horizontal_overflow(page)

    # The sidebar is off-canvas; the menu button opens it.
    sidebar = page.locator("#sidebar")
    expect(sidebar.get_by_role("link", name="Home")).not_to_be_in_viewport()
    page.click("button[aria-controls=sidebar]")
    expect(sidebar).to_have_class(re.compile(r"\bshow\b"))
    expect(sidebar.get_by_role("link", name="Home")).to_be_in_viewport()
    page.click("#sidebar .btn-close")
    expect(sidebar).not_to_have_class(re.compile(r"\bshow\b"))

    # Open a customer from the list.
    table.get_by_role("link", name="Budi Santoso").click()
    expect(page).to_have_url(f"{live_server.url}/customers/people/{customers[1].pk}/")
    expect(page.locator("h1")).to_contain_text("Budi Santoso")
    assert not horizontal_overflow(page), horizontal_overflow(page)


def test_log_out_from_user_menu(page, live_server):
    p = make_personas()
    log_in(page, live_server.url, p.manager.username)
    page.click("#user-menu")
    with page.expect_navigation():
        page.click("#logout-button")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/customers/people/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/customers/people/"))
    expect(page.locator("#login-button")).to_be_visible()


def test_command_palette_finds_a_customer(page, live_server):
    p = make_personas()
    person(p.rep, "Kartika", "Sari")
    organization(p.rep, "PT Sumber Makmur")
    log_in(page, live_server.url, p.rep.username)
    page.keyboard.press("Control+k")
    palette = page.locator("#palette")
    expect(palette).to_be_visible()
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type("Kartika")
    results = page.locator("#palette-results")
    expect(results).to_contain_text("Kartika Sari")
    expect(results).not_to_contain_text("PT Sumber Makmur")
    results.get_by_role("option", name=re.compile("Kartika Sari")).click()
    expect(page.locator("h1")).to_contain_text("Kartika Sari")


def test_bulk_bar_appears_when_a_row_is_ticked(page, live_server):
    p = make_personas()
    for first, last in [("Rina", "Wati"), ("Joko", "Susilo")]:
        person(p.manager, first, last)
    log_in(page, live_server.url, p.manager.username, next_path="/customers/people/")
    bar = page.locator(".bulk-bar")
    expect(bar).to_be_hidden()
    boxes = page.locator("input[name=ids]")
    expect(boxes).to_have_count(2)
    boxes.first.check()
    expect(bar).to_be_visible()
    expect(bar.locator("[data-selected-count]")).to_have_text("1")
    page.locator("[data-select-all]").check()
    expect(bar.locator("[data-selected-count]")).to_have_text("2")
    page.locator("[data-select-all]").uncheck()
    expect(bar).to_be_hidden()


def test_lifecycle_filter_is_a_checkbox_grid(page, live_server):
    p = make_personas()
    person(p.rep, "Wulan", "Sari", lifecycle_stage="customer")
    person(p.rep, "Bayu", "Pratama", lifecycle_stage="prospect")
    log_in(page, live_server.url, p.rep.username, next_path="/customers/people/")
    # Below 1400 px the filters open from a button, so the list's columns fit the screen.
    page.locator("[data-bs-target='#filters']").first.click()
    filters = page.locator("form.filters")
    expect(filters.locator("select[name=lifecycle_stage]")).to_be_hidden()  # never a list box
    stage = filters.get_by_role("checkbox", name="Customer", exact=True)
    expect(stage).to_be_visible()
    stage.check()
    expect(page).to_have_url(re.compile(r"lifecycle_stage=customer"))
    results = page.locator("#results")
    expect(results).to_contain_text("Wulan Sari")
    expect(results).not_to_contain_text("Bayu Pratama")


XSS = [
    "<script>window.__pwned = 1</script>",
    '"><img src=x onerror="window.__pwned = 2">',
    "'><svg/onload=alert(3)>",
    "<iframe srcdoc='<script>parent.__pwned = 4</script>'></iframe>",
]


def test_xss_payloads_never_execute_in_chromium(page, live_server):
    """SECURITY.md check 14: payloads in names and notes render as text on the list, the 360°
    page, the top-bar search and the Ctrl+K palette; none runs (no dialog, no side effect)."""
    p = make_personas()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    customers = [person(p.rep, "Xss", payload, emails=[]) for payload in XSS]
    log_in(page, live_server.url, p.rep.username, next_path="/customers/people/")
    expect(page.locator("table.table-records")).to_contain_text("Xss")
    for customer in customers:
        page.goto(f"{live_server.url}/customers/people/{customer.pk}/")
        expect(page.locator("h1")).to_contain_text("Xss")
        page.fill("textarea[name=body]", "".join(XSS))  # a note, through the UI
        with page.expect_navigation():
            page.get_by_role("button", name="Save note").click()
        expect(page.locator("#content")).to_contain_text("Xss")
    page.goto(f"{live_server.url}/")
    page.fill("#global-search", "Xss")
    expect(page.locator("#search-dropdown")).to_contain_text("Xss")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type("Xss")
    expect(page.locator("#palette-results")).to_contain_text("Xss")
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == []
