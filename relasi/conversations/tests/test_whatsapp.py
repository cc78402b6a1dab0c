"""WhatsApp Business Cloud API: the webhook (handshake, signature, messages, statuses) and the
adapter (text, media, templates, errors) against a fake Graph server on loopback. Webhook
payloads follow the shapes of Meta's documented examples."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.utils import timezone

from relasi.conversations import actions, channels
from relasi.conversations.adapters import whatsapp
from relasi.conversations.choices import DeliveryStatus, Direction, MessageKind
from relasi.conversations.models import Conversation, Inbox, Message
from relasi.conversations.tests.factories import inbox
from relasi.conversations.tests.fake_graph import FakeGraph, graph_error
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

PNID = "106540352242922"
APP_SECRET = "app-secret-for-tests"
VERIFY = "verify-me-please"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def graph():
    fake = FakeGraph().start()
    yield fake
    fake.stop()


@pytest.fixture
def box(graph) -> Inbox:
    b = inbox("whatsapp", config={"graph_url": graph.url, "phone_number_id": PNID})
    b.set_secrets({"access_token": graph.token, "app_secret": APP_SECRET, "verify_token": VERIFY})
    b.save()
    return b


def hook_url(b: Inbox) -> str:
    return f"/conversations/hooks/whatsapp/{b.widget_key}/"


def ts(delta: dt.timedelta = dt.timedelta(minutes=-1)) -> str:
    return str(int((timezone.now() + delta).timestamp()))


def batch(value: dict[str, Any], pnid: str = PNID) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": pnid,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def incoming(
    *messages: dict[str, Any], wa_id: str = "6281234567890", name: str = "Budi S"
) -> dict[str, Any]:
    return batch({"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": messages})


def text(wamid: str, body: str, frm: str = "6281234567890", at: str = "") -> dict[str, Any]:
    return {
        "from": frm,
        "id": wamid,
        "timestamp": at or ts(),
        "text": {"body": body},
        "type": "text",
    }


def status(wamid: str, state: str, **extra: Any) -> dict[str, Any]:
    return batch(
        {
            "statuses": [
                {
                    "id": wamid,
                    "status": state,
                    "timestamp": ts(),
                    "recipient_id": "6281234567890",
                    "conversation": {
                        "id": "CONVERSATION_ID",
                        "origin": {"type": "service"},
                    },
                    "pricing": {"billable": True, "pricing_model": "PMP", "category": "service"},
                    **extra,
                }
            ]
        }
    )


def post(b: Inbox, payload: Any, secret: str = APP_SECRET, signature: str | None = None):
    raw = json.dumps(payload).encode()
    if signature is None:
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": signature} if signature else {}
    # The webhook keeps the body and the drain stores it after the commit (inbound_queue).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(hook_url(b), raw, content_type="application/json", headers=headers)


def chat(b: Inbox, body: str = "Halo, stok ada?", wamid: str = "wamid.IN1", **kw: Any) -> Any:
    assert post(b, incoming(text(wamid, body, **kw))).status_code == 200
    return Message.objects.get(inbox=b, external_id=wamid).conversation


# --- the webhook --------------------------------------------------------------------------------
def test_the_handshake_answers_the_challenge_only_for_the_right_token(box):
    client = Client()
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = client.get(hook_url(box), good)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert client.get(hook_url(box), {**good, "hub.verify_token": "guess"}).status_code == 403
    assert client.get(hook_url(box), {**good, "hub.mode": "unsubscribe"}).status_code == 403
    assert client.get("/conversations/hooks/whatsapp/nope/", good).status_code == 404
    box.set_secrets({"app_secret": APP_SECRET})  # no verify token set: nothing matches
    box.save()
    assert client.get(hook_url(box), {**good, "hub.verify_token": ""}).status_code == 403


def test_a_missing_wrong_or_stale_signature_is_refused(box):
    payload = incoming(text("wamid.X", "Halo"))
    assert post(box, payload, secret="not-the-secret").status_code == 403
    assert post(box, payload, signature="").status_code == 403
    raw = json.dumps(payload).encode()
    signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    tampered = raw.replace(b"Halo", b"Hacked")
    response = Client().post(
        hook_url(box),
        tampered,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signed},
    )
    assert response.status_code == 403
    assert not Message.objects.exists()
    from relasi.core.models import AuditEvent

    assert AuditEvent.objects.filter(message="conversations.whatsapp_signature").count() == 3


def test_a_text_opens_a_conversation_with_the_customer_who_has_that_number(personas, box):
    budi = person(personas.rep, "Budi", "Santoso", emails=[], phones=["0812-3456-7890"])
    at = ts(dt.timedelta(minutes=-3))
    conv = chat(box, "Halo, stok ada?", at=at)
    msg = conv.messages.get()
    assert conv.customer == budi and conv.contact_address == "+6281234567890"
    assert msg.body == "Halo, stok ada?" and msg.sender_name == "Budi S"
    assert msg.direction == Direction.INBOUND and msg.meta["type"] == "text"
    assert int(msg.created_at.timestamp()) == int(at)
    assert conv.last_inbound_at == msg.created_at and conv.waiting_since is not None


def test_the_same_webhook_twice_stores_one_message(personas, box):
    payload = incoming(text("wamid.DUP", "Halo"))
    assert post(box, payload).status_code == 200
    assert post(box, payload).status_code == 200
    assert Message.objects.filter(external_id="wamid.DUP").count() == 1
    assert Conversation.objects.count() == 1


def test_an_unreadable_item_does_not_lose_the_rest_of_the_batch(personas, box):
    payload = incoming({"id": "wamid.BAD", "type": "text"}, text("wamid.GOOD", "masih masuk"))
    payload["entry"][0]["changes"].insert(0, {"field": "messages", "value": "garbage"})
    payload["entry"].append({"id": "x", "changes": [{"field": "messages", "value": {}}]})
    assert post(box, payload).status_code == 200
    assert list(Message.objects.values_list("external_id", "body")) == [
        ("wamid.GOOD", "masih masuk")
    ]


def test_location_contacts_and_buttons_become_readable_text(personas, box):
    base = {"from": "6281234567890", "timestamp": ts()}
    payload = incoming(
        {
            **base,
            "id": "wamid.LOC",
            "type": "location",
            "location": {"latitude": -6.2, "longitude": 106.8166, "name": "Monas", "address": ""},
        },
        {
            **base,
            "id": "wamid.CON",
            "type": "contacts",
            "contacts": [
                {
                    "name": {"formatted_name": "Siti Rahayu", "first_name": "Siti"},
                    "phones": [{"phone": "+62 811 2222 333", "wa_id": "628112222333"}],
                    "emails": [{"email": "siti@contoh.test", "type": "WORK"}],
                }
            ],
        },
        {
            **base,
            "id": "wamid.BTN",
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "order-status", "title": "Status pesanan"},
            },
        },
        {
            **base,
            "id": "wamid.LST",
            "type": "interactive",
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": "sz-42", "title": "Ukuran 42", "description": "stok 3"},
            },
        },
        {**base, "id": "wamid.QR", "type": "button", "button": {"payload": "P1", "text": "Ya"}},
    )
    assert post(box, payload).status_code == 200
    got = {m.external_id: m for m in Message.objects.all()}
    assert got["wamid.LOC"].body == "📍 -6.2,106.8166 Monas"
    assert got["wamid.LOC"].meta["location"]["latitude"] == -6.2
    assert got["wamid.CON"].body == "👤 Siti Rahayu: +62 811 2222 333, siti@contoh.test"
    assert got["wamid.BTN"].body == "Status pesanan"
    assert got["wamid.BTN"].meta["interactive"]["id"] == "order-status"
    assert got["wamid.LST"].meta["interactive"] == {
        "type": "list_reply",
        "id": "sz-42",
        "title": "Ukuran 42",
        "description": "stok 3",
    }
    assert got["wamid.QR"].body == "Ya" and got["wamid.QR"].meta["button"]["payload"] == "P1"


def test_a_photo_and_a_document_are_downloaded_and_stored(personas, box, graph):
    graph.media["1048576"] = (JPEG, "image/jpeg")
    graph.media["2097152"] = (PDF, "application/pdf")
    base = {"from": "6281234567890", "timestamp": ts()}
    payload = incoming(
        {
            **base,
            "id": "wamid.IMG",
            "type": "image",
            "image": {
                "caption": "Rusak",
                "mime_type": "image/jpeg",
                "sha256": "x",
                "id": "1048576",
            },
        },
        {
            **base,
            "id": "wamid.DOC",
            "type": "document",
            "document": {
                "filename": "faktur 12.pdf",
                "mime_type": "application/pdf",
                "sha256": "y",
                "id": "2097152",
            },
        },
    )
    assert post(box, payload).status_code == 200
    photo = Message.objects.get(external_id="wamid.IMG")
    (att,) = photo.attachments.all()
    assert photo.body == "Rusak" and att.content_type == "image/jpeg" and att.size == len(JPEG)
    assert att.file.read() == JPEG and att.name.endswith(".jpg")
    assert photo.meta["media"]["fetched"] is True
    (doc,) = Message.objects.get(external_id="wamid.DOC").attachments.all()
    assert doc.name == "faktur 12.pdf" and doc.file.read() == PDF
    fetched = [(r.method, r.path, r.headers["Authorization"]) for r in graph.requests]
    assert ("GET", "/v21.0/1048576", f"Bearer {graph.token}") in fetched
    assert ("GET", "/blob/1048576", f"Bearer {graph.token}") in fetched


def test_a_file_graph_does_not_have_keeps_the_message_and_the_reason(personas, box, graph):
    payload = incoming(
        {
            "from": "6281234567890",
            "id": "wamid.GONE",
            "timestamp": ts(),
            "type": "audio",
            "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "999", "voice": True},
        }
    )
    assert post(box, payload).status_code == 200
    msg = Message.objects.get(external_id="wamid.GONE")
    assert not msg.attachments.exists()
    assert "media id not found" in msg.meta["media"]["error"] and msg.meta["media"]["id"] == "999"


def test_a_change_for_another_number_of_the_app_goes_to_its_inbox(personas, box, graph):
    other = inbox("whatsapp", name="Cabang", config={"phone_number_id": "222", "graph_url": "x"})
    other.set_secrets({"app_secret": APP_SECRET})
    other.save()
    assert post(box, batch({"messages": [text("wamid.B2", "cabang")]}, pnid="222")).status_code
    assert Message.objects.get(external_id="wamid.B2").inbox == other
    post(box, batch({"messages": [text("wamid.B3", "siapa?")]}, pnid="333"))  # nobody's
    assert not Message.objects.filter(external_id="wamid.B3").exists()


# --- replies ------------------------------------------------------------------------------------
def reply(conv: Any, body: str, capture: Any, **kw: Any) -> Message:
    with capture(execute=True):
        out = actions.reply(None, conv, body, **kw)
    out.refresh_from_db()
    return out


def test_a_reply_inside_24_hours_goes_out_as_text_and_keeps_the_wamid(
    personas, box, graph, django_capture_on_commit_callbacks
):
    conv = chat(box)
    out = reply(conv, "Ada, kak.", django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.SENT and out.external_id == "wamid.OUT1"
    (request,) = [r for r in graph.requests if r.method == "POST"]
    assert request.path == f"/v21.0/{PNID}/messages"
    assert request.headers["Authorization"] == f"Bearer {graph.token}"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"body": "Ada, kak."},
    }


def test_after_24_hours_only_a_template_may_go(
    personas, box, graph, django_capture_on_commit_callbacks
):
    conv = chat(box, at=ts(-dt.timedelta(hours=25)))
    allowed, reason = actions.may_reply(conv)
    assert not allowed and "24 hours" in reason
    with pytest.raises(ValidationError) as exc:
        actions.reply(personas.rep, conv, "Masih ada?")
    assert "template" in str(exc.value)
    template = {"name": "order_update", "language": "id", "params": ["Budi", "INV-7"]}
    out = reply(conv, "", django_capture_on_commit_callbacks, template=template)
    assert out.status == DeliveryStatus.SENT and out.external_id == "wamid.OUT1"
    assert graph.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "6281234567890",
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "id"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Budi"},
                            {"type": "text", "text": "INV-7"},
                        ],
                    }
                ],
            },
        }
    ]


def test_a_conversation_the_customer_never_wrote_in_has_no_window(box):
    conv = Conversation.objects.create(inbox=box, channel="whatsapp", contact_address="+628121")
    adapter = channels.adapter_for("whatsapp")
    until = adapter.freeform_until(conv)
    assert until is not None and until < timezone.now()
    assert actions.may_reply(conv)[0] is False


def test_stop_withdraws_consent_and_the_answer_goes_out_on_whatsapp(
    personas, box, graph, django_capture_on_commit_callbacks
):
    from relasi.privacy import consent

    sari = person(personas.rep, "Sari", "Dewi", phones=["081234567890"], preferred_language="id")
    consent.record(None, sari, "marketing", "whatsapp", "granted", source="web_form")
    with django_capture_on_commit_callbacks(execute=True):
        chat(box, "STOP", wamid="wamid.STOP")
    assert consent.current_status(sari, "marketing", "whatsapp") == "withdrawn"
    assert Message.objects.get(external_id="wamid.STOP").meta["keyword"] == "withdrawn"
    (answer,) = graph.sent
    assert answer["to"] == "6281234567890"
    assert answer["text"]["body"] == "Anda tidak akan menerima penawaran lagi dari kami di sini."
    out = Message.objects.get(direction=Direction.OUTBOUND)
    assert out.kind == MessageKind.SYSTEM and out.status == DeliveryStatus.SENT
    assert out.external_id == "wamid.OUT1"


def test_delivery_reports_move_forward_and_a_failure_keeps_its_reason(
    personas, box, graph, django_capture_on_commit_callbacks
):
    conv = chat(box)
    first = reply(conv, "Satu", django_capture_on_commit_callbacks)
    second = reply(conv, "Dua", django_capture_on_commit_callbacks)
    for state in ("delivered", "read", "sent", "delivered"):  # the last two arrive late
        assert post(box, status(first.external_id, state)).status_code == 200
    first.refresh_from_db()
    assert first.status == DeliveryStatus.READ
    errors = [
        {
            "code": 131047,
            "title": "Re-engagement message",
            "message": "Re-engagement message",
            "error_data": {"details": "More than 24 hours have passed since the customer wrote."},
        }
    ]
    assert post(box, status(second.external_id, "failed", errors=errors)).status_code == 200
    post(box, status(second.external_id, "delivered"))  # nothing comes after a failure
    second.refresh_from_db()
    assert second.status == DeliveryStatus.FAILED
    assert second.error.startswith("Re-engagement message: More than 24 hours")
    assert "(131047)" in second.error


def test_a_reply_with_a_file_uploads_it_and_sends_it_by_its_id(
    personas, box, graph, django_capture_on_commit_callbacks
):
    conv = chat(box)
    photo = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    out = reply(conv, "Ini fotonya", django_capture_on_commit_callbacks, files=[photo])
    (upload,) = graph.uploads
    assert upload["messaging_product"] == "whatsapp" and upload["type"] == "image/png"
    assert upload["file"]["content"] == PNG and upload["file"]["filename"] == "foto.png"
    assert graph.sent[0]["type"] == "image"
    assert graph.sent[0]["image"] == {"id": "up-1", "caption": "Ini fotonya"}
    assert out.status == DeliveryStatus.SENT and out.external_id == "wamid.OUT2"


def test_graph_refusing_fails_the_message_and_graph_failing_queues_it_again(
    personas, box, graph, django_capture_on_commit_callbacks
):
    conv = chat(box)
    graph.fail = (400, graph_error(131030, "(#131030) Recipient phone number not in allowed list"))
    refused = reply(conv, "Halo", django_capture_on_commit_callbacks)
    assert refused.status == DeliveryStatus.FAILED and refused.attempts == 1
    assert "WhatsApp 400: (#131030) Recipient phone number not in allowed list" in refused.error
    graph.fail = (500, graph_error(1, "An unknown error occurred"))
    again = reply(conv, "Halo lagi", django_capture_on_commit_callbacks)
    assert again.status == DeliveryStatus.QUEUED and again.attempts == 1
    assert again.next_attempt_at > timezone.now() and "WhatsApp 500" in again.error
    graph.fail = (400, graph_error(130429, "(#130429) Rate limit hit"))
    throttled = reply(conv, "Halo ketiga", django_capture_on_commit_callbacks)
    assert throttled.status == DeliveryStatus.QUEUED  # a 4xx that asks us to slow down


def test_a_slow_graph_is_a_timeout_worth_retrying(personas, box, graph):
    conv = chat(box)
    box.config = {**box.config, "timeout": 0.2}
    box.save()
    graph.hold = threading.Event()
    out = Message.objects.create(
        conversation=conv, inbox=box, direction=Direction.OUTBOUND, body="Halo"
    )
    result = whatsapp.WhatsAppAdapter().send(box, out)
    graph.hold.set()
    assert not result.ok and result.retry and "in time" in result.error


def test_an_inbox_without_a_token_refuses_to_send_without_retrying(personas, box):
    conv = chat(box)
    box.set_secrets({"app_secret": APP_SECRET})
    out = Message.objects.create(
        conversation=conv, inbox=box, direction=Direction.OUTBOUND, body="Halo"
    )
    result = whatsapp.WhatsAppAdapter().send(box, out)
    assert not result.ok and not result.retry and "not set up" in result.error


def test_a_database_failure_keeps_the_event_and_a_later_drain_stores_it_once(
    personas, box, monkeypatch
):
    from django.db import OperationalError

    from relasi.conversations import inbound_queue
    from relasi.conversations.models import InboundEvent

    real = actions.receive
    broken = {"wamid.LATE"}

    def flaky(b: Inbox, msg: actions.Inbound) -> Message:
        if msg.external_id in broken:
            raise OperationalError("database is locked")
        return real(b, msg)

    monkeypatch.setattr(actions, "receive", flaky)
    payload = incoming(text("wamid.EARLY", "satu"), text("wamid.LATE", "dua"))
    assert post(box, payload).status_code == 200  # kept: Meta need not send it again
    assert not Message.objects.exists()  # the event is stored whole or not at all
    event = InboundEvent.objects.get()
    assert event.attempts == 1 and "locked" in event.error and event.failed_at is None
    box.refresh_from_db()
    assert "not stored yet" in box.last_error
    broken.clear()
    assert inbound_queue.drain(box.pk) == 1
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "wamid.EARLY",
        "wamid.LATE",
    ]
    assert not InboundEvent.objects.exists()
    box.refresh_from_db()
    assert box.last_error == ""  # stored after all: the inbox no longer warns
    assert inbound_queue.drain(box.pk) == 0 and Message.objects.count() == 2


def test_an_event_that_keeps_failing_is_set_aside_with_its_error(personas, box, monkeypatch):
    from django.db import OperationalError

    from relasi.conversations import inbound_queue
    from relasi.conversations.models import InboundEvent

    def broken(b: Inbox, msg: actions.Inbound) -> Message:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(actions, "receive", broken)
    assert post(box, incoming(text("wamid.BAD", "satu"))).status_code == 200
    for _ in range(inbound_queue.MAX_ATTEMPTS):
        inbound_queue.drain(box.pk)
    event = InboundEvent.objects.get()
    assert event.attempts == inbound_queue.MAX_ATTEMPTS and event.failed_at is not None
    assert inbound_queue.drain(box.pk) == 0  # set aside: no endless retrying
    assert InboundEvent.objects.get().attempts == inbound_queue.MAX_ATTEMPTS


def test_when_the_event_cannot_be_kept_meta_is_asked_to_send_it_again(personas, box, monkeypatch):
    from django.db import OperationalError

    from relasi.conversations import inbound_queue

    def full(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(inbound_queue.InboundEvent.objects, "create", full)
    assert post(box, incoming(text("wamid.X", "satu"))).status_code == 500
    assert not Message.objects.exists()


def test_a_drain_stores_events_in_batches_in_arrival_order(personas, box, settings):
    from relasi.conversations import inbound_queue
    from relasi.conversations.models import InboundEvent

    settings.RELASI_INBOUND_BATCH = 2
    for i in range(5):  # accepted outside a commit: nothing drains them yet
        inbound_queue.InboundEvent.objects.create(
            inbox=box, payload=incoming(text(f"wamid.{i}", f"pesan {i}"))
        )
    assert inbound_queue.drain(box.pk) == 5
    conv = Conversation.objects.get()
    assert list(conv.messages.order_by("id").values_list("body", flat=True)) == [
        f"pesan {i}" for i in range(5)
    ]
    assert not InboundEvent.objects.exists()


def test_a_file_is_fetched_once_however_often_the_task_runs(personas, box, graph):
    from relasi.conversations import webhooks_whatsapp

    graph.media["77"] = (JPEG, "image/jpeg")
    image = {"mime_type": "image/jpeg", "id": "77"}
    msg = {"from": "6281234567890", "id": "wamid.ONCE", "timestamp": ts(), "type": "image"}
    assert post(box, incoming({**msg, "image": image})).status_code == 200
    photo = Message.objects.get(external_id="wamid.ONCE")
    assert webhooks_whatsapp.fetch_media(photo.pk) == "done"
    assert photo.attachments.count() == 1
    downloads = [r for r in graph.requests if r.path == "/blob/77"]
    assert len(downloads) == 1


def test_after_24_hours_the_agent_picks_an_approved_template_in_the_page(
    personas, box, graph, django_capture_on_commit_callbacks
):
    from relasi.core.testing import client_for

    box.config = {**box.config, "reply_templates": "order_update, id, 2; hello_en, en, 0"}
    box.save()
    conv = chat(box, at=ts(-dt.timedelta(hours=25)))
    client = client_for(personas.admin)
    page = client.get(conv.get_absolute_url()).content.decode()
    assert 'id="reply-blocked"' in page and 'id="template-form"' in page
    assert 'value="order_update|id"' in page and 'value="hello_en|en"' in page
    url = f"/conversations/{conv.pk}/reply/"
    wrong = client.post(url, {"template": "order_update|id", "params": "Budi", "body": ""})
    assert "needs 2 value(s)" in wrong.content.decode()
    unknown = client.post(url, {"template": "promo_blast|id", "params": "", "body": ""})
    assert "approved templates" in unknown.content.decode()
    assert not graph.sent
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"template": "order_update|id", "params": "Budi\nINV-7\n", "body": ""}
        )
    assert done.status_code == 302
    (sent,) = graph.sent
    assert sent["type"] == "template" and sent["template"]["name"] == "order_update"
    values = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert values == ["Budi", "INV-7"]
    out = Message.objects.get(direction=Direction.OUTBOUND)
    assert out.author == personas.admin and out.status == DeliveryStatus.SENT


def test_an_inbox_without_templates_only_explains_the_24_hour_rule(personas, box):
    from relasi.core.testing import client_for

    conv = chat(box, at=ts(-dt.timedelta(hours=25)))
    page = client_for(personas.admin).get(conv.get_absolute_url()).content.decode()
    assert 'id="reply-blocked"' in page and 'id="template-form"' not in page
