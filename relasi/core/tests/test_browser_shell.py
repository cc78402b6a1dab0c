"""The shell by keyboard, in Chromium (issue #19): Ctrl+K results reached with the arrow keys and
opened with Enter, Escape closing the palette, focus kept inside it; the skip-to-content link;
sidebar sections that fold and stay folded, also on a phone."""

import re

import pytest
from playwright.sync_api import expect

from relasi.core.tests.browser import PHONE, browser_fixtures, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def _active_option(page):
    return page.evaluate(
        """() => {
  const input = document.getElementById("palette-input");
  const id = input.getAttribute("aria-activedescendant");
  const el = id && document.getElementById(id);
  return el ? {text: el.textContent.trim(), selected: el.getAttribute("aria-selected")} : null;
}"""
    )


def test_ctrl_k_by_keyboard(page, live_server):
    p = make_personas()
    person(p.rep, "Kartika", "Sari")
    target = person(p.rep, "Kartini", "Wulandari")
    log_in(page, live_server.url, p.rep.username)

    page.keyboard.press("Control+k")
    palette_input = page.locator("#palette-input")
    expect(palette_input).to_be_focused()
    expect(palette_input).to_have_attribute("role", "combobox")
    page.keyboard.type("Karti")
    options = page.locator("#palette-results [role=option]")
    expect(options).to_have_count(2)
    expect(palette_input).to_have_attribute("aria-expanded", "true")

    # Arrows move the active option; focus never leaves the input.
    page.keyboard.press("ArrowDown")
    first = _active_option(page)
    assert first and first["selected"] == "true"
    page.keyboard.press("ArrowDown")
    second = _active_option(page)
    assert second and second["text"] != first["text"]
    page.keyboard.press("ArrowDown")  # wraps around
    assert _active_option(page)["text"] == first["text"]
    page.keyboard.press("ArrowUp")
    assert _active_option(page)["text"] == second["text"]
    expect(palette_input).to_be_focused()
    expect(page.locator("#palette-results [aria-selected=true]")).to_have_count(1)

    # Tab cannot leave the open palette (focus trap).
    page.keyboard.press("Tab")
    expect(palette_input).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(palette_input).to_be_focused()

    # Escape closes it and gives focus back; Ctrl+K again, choose Kartini, Enter opens her.
    page.keyboard.press("Escape")
    expect(page.locator("#palette")).to_be_hidden()
    page.keyboard.press("Control+k")
    expect(palette_input).to_be_focused()
    page.keyboard.type("Kartin")  # the shown palette selects its old text: this replaces it
    expect(options).to_have_count(1)
    page.keyboard.press("ArrowDown")
    assert "Kartini" in _active_option(page)["text"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/customers/people/{target.pk}/")
    expect(page.locator("h1")).to_contain_text("Kartini Wulandari")


def test_top_bar_search_by_keyboard(page, live_server):
    p = make_personas()
    target = person(p.rep, "Dewi", "Lestari")
    log_in(page, live_server.url, p.rep.username)
    search = page.locator("#global-search")
    search.focus()
    page.keyboard.type("Dewi")
    expect(page.locator("#search-dropdown [role=option]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(page.locator("#search-dropdown [aria-selected=true]")).to_contain_text("Dewi Lestari")
    page.keyboard.press("Escape")
    expect(page.locator("#search-dropdown [role=option]")).to_have_count(0)
    expect(search).to_have_attribute("aria-expanded", "false")
    search.fill("")
    page.keyboard.type("Dewi L")
    expect(page.locator("#search-dropdown [role=option]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/customers/people/{target.pk}/")


def test_skip_to_content(page, live_server):
    p = make_personas()
    log_in(page, live_server.url, p.rep.username, next_path="/customers/people/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(skip).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    expect(page.locator("#content")).to_be_focused()


def test_sidebar_sections_fold_and_stay_folded(page, live_server):
    p = make_personas()
    log_in(page, live_server.url, p.rep.username, next_path="/customers/people/")
    sales = page.locator("[data-nav-section=sales]")
    expect(sales).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav-sales").get_by_role("link", name="Leads")).to_be_visible()
    sales.click()
    expect(sales).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav-sales")).to_be_hidden()
    page.reload()
    expect(page.locator("[data-nav-section=sales]")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav-sales")).to_be_hidden()
    # The section of the current page stays open, and its entry alone is highlighted.
    people = page.locator("#nav-customers").get_by_role("link", name="People")
    expect(people).to_have_attribute("aria-current", "page")
    expect(page.locator("#sidebar .nav-link.active")).to_have_count(1)

    # On a phone the sections are in the off-canvas menu and unfold with a tap.
    page.set_viewport_size(PHONE)
    page.click("button[aria-controls=sidebar]")
    expect(page.locator("#sidebar")).to_have_class(re.compile(r"\bshow\b"))
    toggle = page.locator("[data-nav-section=sales]")
    expect(toggle).to_be_in_viewport()
    box = toggle.bounding_box()
    assert box and box["height"] >= 44
    toggle.click()
    expect(page.locator("#nav-sales").get_by_role("link", name="Leads")).to_be_visible()
