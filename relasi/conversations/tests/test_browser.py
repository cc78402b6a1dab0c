"""The inbox in a real browser (Debian's Chromium via Playwright): a service agent on a phone
finds the customer's WhatsApp message waiting, answers it and closes the conversation; the page
fits the screen. Run alone with `pytest -m browser -p no:xdist`."""

import pytest
from playwright.sync_api import expect

from relasi.conversations.choices import ConversationStatus, Direction
from relasi.conversations.models import Conversation
from relasi.conversations.tests.factories import inbound, inbox
from relasi.core.tests.browser import PHONE, browser_fixtures, horizontal_overflow, log_in
from relasi.core.tests.browser import personas as make_personas
from relasi.customers.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

chromium, page = browser_fixtures()


def test_agent_answers_a_waiting_chat_on_a_phone(page, live_server):
    p = make_personas()
    person(p.rep, "Sari", "Dewi", emails=[], phones=["081234567890"])
    box = inbox("webchat", address="tokoxyz.test")
    conv = inbound(
        box, "visitor-7", "Halo, toko buka hari Minggu?", sender_name="Sari"
    ).conversation
    conv.owner = p.rep
    conv.save(update_fields=["owner"])
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, p.rep.username, "/conversations/?waiting=true")
    row = page.locator(f'[data-conversation="{conv.pk}"]')
    expect(row).to_contain_text("Halo, toko buka hari Minggu?")
    assert horizontal_overflow(page) == []
    row.click()
    expect(page.locator("#thread")).to_contain_text("Halo, toko buka hari Minggu?")
    assert horizontal_overflow(page) == []
    page.fill("#reply-body", "Buka, kak, jam 10-17.")
    page.click("#reply-submit")
    expect(page.locator("#thread")).to_contain_text("Buka, kak, jam 10-17.")
    page.select_option("select[name=status]", value="closed")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("#conv-status")).to_have_text("Closed")
    conv.refresh_from_db()
    assert conv.status == ConversationStatus.CLOSED and conv.waiting_since is None
    assert conv.messages.filter(direction=Direction.OUTBOUND).count() == 1
    assert Conversation.objects.count() == 1
