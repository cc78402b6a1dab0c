"""Kanban board in Chromium: dragging a card fires exactly one POST, saves at once and
updates both column totals; a stale card shows the conflict message and goes back; on a
phone the board is a stage list without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.sales.models import Deal
from relasi.sales.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def drag(page, source, target):
    """Press on the card (not on its link or form: those do not start a drag), move over the
    target column in small steps, release."""
    box, dest = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5, steps=3)
    page.mouse.move(dest["x"] + dest["width"] / 2, dest["y"] + 25, steps=15)
    page.mouse.move(dest["x"] + dest["width"] / 2, dest["y"] + 30, steps=3)
    page.mouse.up()


@pytest.fixture
def board(live_server):
    people = make_personas()
    p = f.pipeline()
    deal = f.deal(people.rep, p, value="2500000", name="Blender untuk Hotel Melati")
    f.deal(people.rep, p, "Proposal", value="1000000", name="Kipas untuk kantor")
    return people, p, deal


def posts_to_move(page):
    seen = []
    page.on(
        "request",
        lambda r: seen.append(r.url) if r.method == "POST" and "/move/" in r.url else None,
    )
    return seen


def test_drag_card_fires_one_post_and_updates_totals(page, live_server, board):
    _people, p, deal = board
    log_in(page, live_server.url, "rep", next_path=f"/sales/board/{p.pk}/")
    expect(page.locator(f"#deal-{deal.pk}")).to_be_visible()
    proposal = f.stage(p, "Proposal")
    seen = posts_to_move(page)
    with page.expect_response(lambda r: "/move/" in r.url) as info:
        drag(
            page,
            page.locator(f"#deal-{deal.pk} .text-body-secondary").first,
            page.locator(f".board-cards[data-stage='{proposal.pk}']"),
        )
    assert info.value.status == 200
    expect(page.locator(f"#stage-total-{proposal.pk} [data-count]")).to_have_text("2")
    expect(
        page.locator(f".board-cards[data-stage='{proposal.pk}'] #deal-{deal.pk}")
    ).to_be_visible()
    page.wait_for_timeout(300)
    assert len(seen) == 1
    assert Deal.objects.get(pk=deal.pk).stage_id == proposal.pk


def test_stale_card_shows_conflict_and_goes_back(page, live_server, board):
    _people, p, deal = board
    log_in(page, live_server.url, "rep", next_path=f"/sales/board/{p.pk}/")
    expect(page.locator(f"#deal-{deal.pk}")).to_be_visible()
    Deal.objects.filter(pk=deal.pk).update(version=9)  # someone else saved it meanwhile
    negotiation = f.stage(p, "Negotiation")
    with page.expect_response(lambda r: "/move/" in r.url) as info:
        drag(
            page,
            page.locator(f"#deal-{deal.pk} .text-body-secondary").first,
            page.locator(f".board-cards[data-stage='{negotiation.pk}']"),
        )
    assert info.value.status == 409
    expect(page.locator("[data-move-error]")).to_contain_text("changed by someone else")
    qualified = f.stage(p, "Qualified")
    expect(
        page.locator(f".board-cards[data-stage='{qualified.pk}'] #deal-{deal.pk}")
    ).to_be_visible()


def test_move_select_and_phone_stage_list(page, live_server, board):
    _people, p, deal = board
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "rep", next_path=f"/sales/board/{p.pk}/")
    assert horizontal_overflow(page) == []
    won = f.stage(p, "Won")
    card = page.locator(f"#deal-{deal.pk}")
    card.locator("select[name=stage]").select_option(str(won.pk))
    with page.expect_response(lambda r: "/move/" in r.url) as info:
        card.get_by_role("button", name="Move").click()
    assert info.value.status == 200
    expect(page.locator(f"#stage-total-{won.pk} [data-count]")).to_have_text("1")
    assert Deal.objects.get(pk=deal.pk).status == "won"
