"""The web-chat widget's public endpoints, the visitor's identity and the real-time stream."""

import json
import time

import pytest
from django.db import connection
from django.test import Client

from relasi.conversations import actions, stream, webchat
from relasi.conversations.choices import ChannelKind, Direction
from relasi.conversations.models import Conversation, Message
from relasi.conversations.tests.factories import inbox
from relasi.core.testing import client_for
from relasi.core.tests.browser import browser_fixtures
from relasi.customers.models import Customer, EmailAddress
from relasi.customers.tests.factories import person
from relasi.service.models import BusinessHours

pytestmark = pytest.mark.django_db

chromium, page = browser_fixtures()

TOKEN = "visitor-token-" + "0123456789abcdef"  # a visitor id, not a secret
OTHER = "another-visitor-token-abcdef01"


@pytest.fixture
def box():
    BusinessHours.objects.all().delete()  # no calendar: always open
    return inbox(ChannelKind.WEBCHAT, address="tokoxyz.test", name="Toko XYZ")


def api(token: str = TOKEN, **headers: str) -> Client:
    client = Client()
    client.defaults["HTTP_X_RELASI_VISITOR"] = token
    for name, value in headers.items():
        client.defaults[f"HTTP_{name.upper()}"] = value
    return client


def url(b, what: str) -> str:
    return f"/conversations/widget/{b.widget_key}/{what}/"


def say(client: Client, b, text: str, **extra: str):
    body = json.dumps({"body": text, **extra})
    return client.post(url(b, "messages"), body, content_type="application/json")


def test_start_and_send_make_one_conversation(box):
    client = api()
    first = say(client, box, "Halo, stok kipas ada?")
    assert first.status_code == 201
    assert first.json()["offline"] is False and first.json()["message"]["from"] == "visitor"
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in first
    assert say(client, box, "Yang 16 inci").status_code == 201
    conv = Conversation.objects.get()
    assert conv.channel == ChannelKind.WEBCHAT and conv.messages.count() == 2
    assert conv.waiting_since is not None
    # The token itself is never stored: the address is its hash.
    assert TOKEN not in conv.contact_address and conv.contact_address.startswith("v-")
    assert say(api(OTHER), box, "Saya orang lain").status_code == 201
    assert Conversation.objects.count() == 2


def test_messages_since_an_id_show_replies_but_never_notes(box, personas):
    client = api()
    say(client, box, "Halo")
    conv = Conversation.objects.get()
    first_id = conv.messages.get().pk
    actions.add_note(personas.admin, conv, "internal: VIP")
    actions.reply(personas.admin, conv, "Halo, stok ada!")
    got = client.get(url(box, "messages"), {"after": first_id}).json()
    assert [m["body"] for m in got["messages"]] == ["Halo, stok ada!"]
    assert got["messages"][0]["from"] == "agent" and got["open"] is True
    assert [m["body"] for m in client.get(url(box, "messages")).json()["messages"]] == [
        "Halo",
        "Halo, stok ada!",
    ]
    # Another visitor reads nothing of it.
    assert api(OTHER).get(url(box, "messages")).json()["messages"] == []


def test_outside_business_hours_the_message_is_an_offline_message(box):
    BusinessHours.objects.create(name="Never", hours={}, is_default=True)
    client = api()
    sent = say(client, box, "Masih buka?")
    assert sent.status_code == 201 and sent.json()["offline"] is True
    assert client.get(url(box, "messages")).json()["open"] is False
    msg = Message.objects.get()
    assert msg.meta == {"offline": True} and msg.conversation.status == "open"


def test_identify_links_the_existing_customer_by_email_and_never_duplicates(box, personas):
    siti = person(personas.rep, "Siti", "Rahayu", emails=["siti@contoh.test"])
    client = api()
    say(client, box, "Pesanan saya belum sampai")
    people = Customer.objects.count()
    body = json.dumps({"name": "Siti R", "email": " SITI@contoh.test "})
    r = client.post(url(box, "identify"), body, content_type="application/json")
    assert r.status_code == 200, r.content
    conv = Conversation.objects.get()
    assert conv.customer_id == siti.pk and conv.contact_name == "Siti R"
    note = conv.messages.get(direction=Direction.NOTE)
    assert "siti@contoh.test" in note.body
    # Again, and from a second visitor (another device) with the same address: still Siti.
    client.post(url(box, "identify"), body, content_type="application/json")
    other = api(OTHER)
    say(other, box, "Halo lagi")
    other.post(url(box, "identify"), body, content_type="application/json")
    assert Customer.objects.count() == people
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {siti.pk}
    assert client.get(url(box, "messages")).json()["identified"] is True
    shown = [m["body"] for m in client.get(url(box, "messages")).json()["messages"]]
    assert shown == ["Pesanan saya belum sampai"]  # the note about the details is internal


def test_identify_creates_one_contact_for_a_new_address(box):
    client = api()
    say(client, box, "Halo")
    body = json.dumps(
        {"name": "Budi Santoso", "email": "budi@contoh.test", "phone": "0812 3456 7890"}
    )
    for _ in range(2):
        assert (
            client.post(url(box, "identify"), body, content_type="application/json").status_code
            == 200
        )
    (budi,) = Customer.objects.filter(emails__email="budi@contoh.test")
    assert (
        budi.first_name == "Budi"
        and EmailAddress.objects.filter(email="budi@contoh.test").count() == 1
    )
    assert budi.phones.get().number == "+6281234567890"
    assert Conversation.objects.get().customer_id == budi.pk


def test_identify_needs_an_address_and_a_conversation(box):
    client = api()
    body = json.dumps({"name": "Tanpa Pesan", "email": "a@contoh.test"})
    assert (
        client.post(url(box, "identify"), body, content_type="application/json").status_code == 400
    )
    say(client, box, "Halo")
    r = client.post(
        url(box, "identify"), json.dumps({"name": "X"}), content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["error"]
    assert Conversation.objects.get().customer_id is None


def test_wrong_widget_key_or_inactive_inbox_is_404(box):
    client = api()
    r = client.post("/conversations/widget/nope/messages/", "{}", content_type="application/json")
    assert r.status_code == 404
    email_box = inbox("email")
    assert client.get(url(email_box, "messages")).status_code == 404
    box.active = False
    box.save()
    assert client.get(url(box, "messages")).status_code == 404
    assert Message.objects.count() == 0


def test_a_bad_visitor_token_is_refused(box):
    r = say(api("short"), box, "Halo")
    assert r.status_code == 400 and Message.objects.count() == 0


def test_only_allowed_origins_may_embed_the_widget(box):
    box.config = {"allowed_origins": ["https://tokoxyz.test"]}
    box.save()
    bad = api(origin="https://evil.test")
    assert say(bad, box, "Halo").status_code == 403
    assert bad.options(url(box, "messages")).status_code == 403
    assert bad.get(url(box, "stream")).status_code == 403
    assert Message.objects.count() == 0
    good = api(origin="https://tokoxyz.test")
    pre = good.options(url(box, "messages"))
    assert pre.status_code == 204 and "X-Relasi-Visitor" in pre["Access-Control-Allow-Headers"]
    r = say(good, box, "Halo")
    assert r.status_code == 201 and r["Access-Control-Allow-Origin"] == "https://tokoxyz.test"
    assert "Origin" in r["Vary"] and "Access-Control-Allow-Credentials" not in r
    # As the settings form stores it: comma-separated text.
    box.config = {"allowed_origins": "https://a.test, https://tokoxyz.test/"}
    box.save()
    assert say(good, box, "Lagi").status_code == 201
    assert say(bad, box, "Halo").status_code == 403


def test_sending_is_rate_limited(box):
    client = api()
    codes = [say(client, box, f"pesan {i}").status_code for i in range(22)]
    assert codes.count(201) == 20 and codes[-1] == 429


def _events(response) -> list[dict]:
    """The data of the first event(s); the stream is closed after (a suspended generator
    collected later, in another test's server thread, would close that thread's connection)."""
    out = []
    try:
        for chunk in response.streaming_content:
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            for line in text.splitlines():
                if line.startswith("data: "):
                    out.append(json.loads(line[6:]))
            if out:
                return out
        return out
    finally:
        response.close()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite streams poll")
def test_the_stream_polls_and_yields_a_new_message_on_sqlite(box, personas, monkeypatch):
    client = api()
    say(client, box, "Halo")
    conv = Conversation.objects.get()
    seen = conv.messages.get().pk
    waits = []

    def agent_replies_meanwhile(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:
            actions.reply(personas.admin, conv, "Ada, kak")

    monkeypatch.setattr(stream, "_wait", agent_replies_meanwhile)
    response = client.get(url(box, "stream"), HTTP_LAST_EVENT_ID=str(seen))
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-store"
    (event,) = _events(response)
    assert event["body"] == "Ada, kak" and event["from"] == "agent" and waits == [stream.POLL]


def test_the_stream_ends_after_its_lifetime_with_heartbeats(box, monkeypatch):
    clock = iter(range(0, 1000, 4))
    monkeypatch.setattr(stream.time, "monotonic", lambda: float(next(clock)))
    monkeypatch.setattr(stream, "_wait", lambda s: None)
    monkeypatch.setattr(stream.connection, "vendor", "sqlite")
    text = "".join(stream.events(None, lambda after: [], 0))
    assert text.startswith("retry: ") and ": ping" in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_the_stream_wakes_on_notify_from_another_connection_on_postgres(box, personas):
    import psycopg

    client = api()
    say(client, box, "Halo")
    conv = Conversation.objects.get()
    seen = conv.messages.get().pk
    # The reply is stored in the test's (uncommitted) transaction; the stream reads it through
    # the same connection. The wake-up comes from a second connection, as from another process.
    reply = Message.objects.create(
        conversation=conv, inbox=box, direction=Direction.OUTBOUND, body="Ada, kak", status="sent"
    )
    response = client.get(url(box, "stream"), HTTP_LAST_EVENT_ID=str(seen))
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"retry:")  # LISTEN happens on the next step
    stream.HEARTBEAT, old = 30.0, stream.HEARTBEAT
    try:
        with psycopg.connect(**stream.listen_params(), autocommit=True) as other:
            started = time.monotonic()
            # The stream's first read (right after LISTEN) finds the reply already; a second
            # reply arrives while it waits and is announced only by NOTIFY.
            first = next(chunks).decode()
            assert f"id: {reply.pk}" in first
            later = Message.objects.create(
                conversation=conv, inbox=box, direction=Direction.OUTBOUND, body="Mau warna apa?"
            )
            other.execute("SELECT pg_notify(%s, %s)", [stream.channel(conv.pk), str(later.pk)])
            second = next(chunks).decode()
            assert f"id: {later.pk}" in second and "Mau warna apa?" in second
            assert time.monotonic() - started < 10  # woken by NOTIFY, not the 30 s heartbeat
    finally:
        stream.HEARTBEAT = old
        response.close()


def test_the_agent_page_polls_the_thread(box, personas):
    client = api()
    say(client, box, "Halo")
    conv = Conversation.objects.get()
    agent = client_for(personas.admin)
    page = agent.get(f"/conversations/{conv.pk}/").content.decode()
    last = conv.messages.get().pk
    assert f'?since={last}"' in page and 'hx-trigger="every 5s"' in page
    poll = f"/conversations/{conv.pk}/?since={last}"
    assert agent.get(poll, HTTP_HX_REQUEST="true").status_code == 204
    say(client, box, "Masih ada?")
    fresh = agent.get(poll, HTTP_HX_REQUEST="true")
    body = fresh.content.decode()
    assert fresh.status_code == 200 and "Masih ada?" in body and "<html" not in body
    assert client_for(personas.other_rep).get(poll, HTTP_HX_REQUEST="true").status_code == 404


def test_the_inbox_settings_show_the_embed_code(box, personas):
    page = client_for(personas.admin).get(f"/conversations/settings/inboxes/{box.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "conversations/widget.js" in text and f"data-relasi-key=&quot;{box.widget_key}" in text


def test_the_demo_page_is_for_administrators(box, personas):
    page = client_for(personas.admin).get("/conversations/widget/demo/")
    assert page.status_code == 200
    assert f'data-relasi-key="{box.widget_key}"' in page.content.decode()
    assert client_for(personas.rep).get("/conversations/widget/demo/").status_code == 403
    assert Client().get("/conversations/widget/demo/").status_code == 302


def test_the_visitor_token_is_not_in_any_url_the_widget_calls():
    from pathlib import Path

    js = (Path(webchat.__file__).parent / "static/conversations/widget.js").read_text()
    assert "X-Relasi-Visitor" in js and "?token" not in js and "EventSource" not in js


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_chats_on_a_phone_and_sees_the_agents_reply(page, live_server, monkeypatch):
    from playwright.sync_api import expect

    from relasi.core.tests.browser import PHONE, horizontal_overflow, log_in
    from relasi.core.tests.browser import personas as make_personas

    # Short streams: the widget reconnects with Last-Event-ID (exercised here), and no stream
    # outlives the test to poll the live server's database in the next one.
    monkeypatch.setattr(stream, "LIFETIME", 4.0)
    p = make_personas()
    BusinessHours.objects.all().delete()  # always open: no offline note
    inbox(ChannelKind.WEBCHAT, name="Toko XYZ")
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, p.admin.username, next_path="/conversations/widget/demo/")
    expect(page.locator("h1")).to_have_text("Web chat demo")
    expect(page.locator("#rc-title")).to_have_text("Chat with us")  # the page's <html lang>
    opener = page.locator("#rc-open")
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.click()
    expect(page.locator("#rc-panel")).to_be_visible()
    expect(opener).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#rc-log")).to_have_attribute("aria-live", "polite")
    focused = "() => document.querySelector('[data-relasi-chat]').shadowRoot.activeElement?.id"
    assert page.evaluate(focused) == "rc-body"
    assert horizontal_overflow(page) == []
    page.fill("#rc-body", "Halo, kipas 16 inci ada?")
    page.press("#rc-body", "Enter")
    expect(page.locator("#rc-log li.visitor")).to_have_text("YouHalo, kipas 16 inci ada?")
    conv = Conversation.objects.get()
    assert conv.messages.get().body == "Halo, kipas 16 inci ada?"
    actions.reply(p.admin, conv, "Ada, kak! Warna putih atau hitam?")
    expect(page.locator("#rc-log li.agent")).to_contain_text("Ada, kak! Warna putih atau hitam?")
    # The visitor leaves their details: the conversation is linked to the existing customer.
    dewi = person(p.rep, "Dewi", "Lestari", emails=["dewi@contoh.test"])
    page.click("#rc-who")
    expect(page.locator("#rc-id")).to_be_visible()
    page.fill("#rc-name", "Dewi")
    page.fill("#rc-email", "dewi@contoh.test")
    page.click("#rc-id button[type=submit]")
    expect(page.locator("#rc-status")).to_have_text("Thank you, we will keep in touch.")
    expect(page.locator("#rc-who")).to_be_hidden()
    conv.refresh_from_db()
    assert conv.customer_id == dewi.pk
    page.keyboard.press("Escape")
    expect(page.locator("#rc-panel")).to_be_hidden()
    assert page.evaluate(focused) == "rc-open"
    page.goto("about:blank")  # the widget stops; its last stream ends within LIFETIME
    deadline = time.monotonic() + 10
    while stream.open_streams() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert stream.open_streams() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_visitors_message_and_an_agents_reply_notify_on_commit_on_postgres():
    import psycopg

    from relasi.core.testing import make_personas

    p = make_personas()
    BusinessHours.objects.all().delete()
    b = inbox(ChannelKind.WEBCHAT)
    message, _offline = webchat.send(b, TOKEN, "Halo")
    conv = message.conversation
    with psycopg.connect(**stream.listen_params(), autocommit=True) as listener:
        listener.execute(f"LISTEN {stream.channel(conv.pk)}")
        webchat.send(b, TOKEN, "Masih ada?")
        reply = actions.reply(p.admin, conv, "Ada!")  # the web-chat adapter delivers it
        got = [n.payload for n in listener.notifies(timeout=5, stop_after=2)]
    visitor = conv.messages.get(body="Masih ada?")
    assert got == [str(visitor.pk), str(reply.pk)]
