"""Sentiment where it is used: set on arrival, the conversation's priority, the inbox filter
(page and API), the conversation page, the customer's panel, tickets and the weekly KPI."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from relasi.conversations import actions, sentiment_reports
from relasi.conversations.models import Conversation, Message
from relasi.conversations.tests.factories import inbound, inbox
from relasi.conversations.tests.test_api import api
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

ANGRY = "Kecewa bgt, paket belum sampai juga udah seminggu 😡"
HAPPY = "Makasih kak, barangnya bagus banget 👍"


def test_an_inbound_message_and_its_conversation_get_the_sentiment(personas):
    box = inbox("whatsapp")
    first = inbound(box, "6281200000001", HAPPY)
    conv = Conversation.objects.get(pk=first.conversation_id)
    assert first.sentiment == "positive" and conv.sentiment == "positive"
    assert conv.priority == "normal"
    second = inbound(box, "6281200000001", ANGRY)
    conv.refresh_from_db()
    assert second.conversation_id == conv.pk
    assert Message.objects.get(pk=second.pk).sentiment == "negative"
    assert conv.sentiment == "negative" and conv.priority == "high"
    inbound(box, "6281200000001", "Oke kak, saya tunggu")
    conv.refresh_from_db()
    assert conv.sentiment == "neutral" and conv.priority == "high"  # never lowered by mood


def test_a_negative_message_does_not_lower_an_urgent_conversation(personas):
    box = inbox("whatsapp")
    conv = inbound(box, "6281200000002", "Halo").conversation
    Conversation.objects.filter(pk=conv.pk).update(priority="urgent")
    inbound(box, "6281200000002", ANGRY)
    conv.refresh_from_db()
    assert conv.priority == "urgent" and conv.sentiment == "negative"


def test_bounces_replies_and_notes_get_no_sentiment(personas):
    box = inbox()
    bounce = inbound(box, "mailer-daemon@contoh.test", "Delivery failed, terrible", kind="bounce")
    assert bounce.sentiment == ""
    assert Conversation.objects.get(pk=bounce.conversation_id).sentiment == ""
    conv = inbound(box, "siti@contoh.test", "Stok ada?").conversation
    note = actions.add_note(personas.admin, conv, "pelanggan ini kecewa berat")
    assert note.sentiment == ""


def test_the_quoted_history_of_an_email_reply_does_not_count(personas):
    box = inbox()
    body = "Terima kasih, sudah beres 🙏\n\nOn Mon, 1 Dec 2026 at 10:00 Toko wrote:\n> Mohon maaf, paket rusak parah, kecewa"  # fmt: skip
    assert inbound(box, "siti@contoh.test", body).sentiment == "positive"


def test_the_inbox_filters_by_sentiment_and_shows_it(personas):
    box = inbox("whatsapp")
    angry = inbound(box, "6281200000003", ANGRY).conversation
    happy = inbound(box, "6281200000004", HAPPY).conversation
    client = client_for(personas.admin)
    page = client.get("/conversations/", {"sentiment": "negative"}).content.decode()
    assert f'data-conversation="{angry.pk}"' in page
    assert f'data-conversation="{happy.pk}"' not in page
    assert 'name="sentiment"' in page
    detail = client.get(f"/conversations/{angry.pk}/").content.decode()
    assert 'id="conv-sentiment"' in detail and 'data-sentiment="negative"' in detail
    items = api(personas.admin).get("/api/v1/conversations", {"sentiment": "positive"}).json()
    assert [c["id"] for c in items["items"]] == [happy.pk]
    assert items["items"][0]["sentiment"] == "positive"
    bad = api(personas.admin).get("/api/v1/conversations", {"sentiment": "furious"})
    assert bad.status_code in (400, 422)


def test_the_customer_page_counts_their_last_ten_messages(personas):
    siti = person(personas.admin, "Siti", "Rahayu", emails=["siti@contoh.test"])
    box = inbox()
    for i in range(9):
        inbound(box, "siti@contoh.test", ANGRY if i < 3 else "Stok ada?", subject=f"s{i}")
    for i in range(3):
        inbound(box, "siti@contoh.test", HAPPY, subject=f"h{i}")
    assert sentiment_reports.customer_counts(personas.admin, siti) == {
        "positive": 3,
        "neutral": 6,
        "negative": 1,
    }
    page = client_for(personas.admin).get(siti.get_absolute_url()).content.decode()
    assert 'id="customer-sentiment"' in page
    assert "Negative: 1" in page and "Positive: 3" in page
    # a role without the conversations module gets no panel
    assert not personas.readonly.has_module_perm("conversations", "view")
    request = RequestFactory().get("/")
    request.user = personas.readonly
    assert sentiment_reports.customer_panel(request, siti) == ""
    request.user = personas.admin
    assert 'id="customer-sentiment"' in sentiment_reports.customer_panel(request, siti)


def test_the_panel_counts_only_conversations_the_user_may_see(personas):
    siti = person(personas.admin, "Siti", "Rahayu", emails=["siti@contoh.test"])
    box = inbox()
    conv = inbound(box, "siti@contoh.test", ANGRY).conversation
    actions.assign(personas.admin, conv, personas.other_rep)
    assert sentiment_reports.customer_counts(personas.rep, siti)["negative"] == 0
    assert sentiment_reports.customer_counts(personas.admin, siti)["negative"] == 1


def test_ticket_sentiment_reads_the_description_and_the_customers_messages(personas):
    from relasi.service import actions as service_actions
    from relasi.service.tests.factories import ticket

    t = ticket(personas.admin, description="Pertanyaan soal jadwal servis")
    assert sentiment_reports.ticket_sentiment(t)[0] == "neutral"
    service_actions.add_reply(personas.admin, t, "Mohon maaf, kami kecewa juga, parah")
    assert sentiment_reports.ticket_sentiment(t)[0] == "neutral"  # agents' words do not count
    service_actions.add_customer_message(t, "Teknisi gak datang, kecewa bgt, parah 😡")
    label, value = sentiment_reports.ticket_sentiment(t)
    assert label == "negative" and value < -0.25
    page = client_for(personas.admin).get(t.get_absolute_url()).content.decode()
    assert 'id="ticket-sentiment"' in page and 'data-sentiment="negative"' in page


def test_the_weekly_share_of_negative_messages(personas):
    box = inbox("whatsapp")
    monday = timezone.make_aware(dt.datetime(2026, 11, 2, 10, 0))
    texts = [ANGRY, HAPPY, "Stok ada?", ANGRY]  # week 1: 2 of 4 negative
    for n, text in enumerate(texts):
        inbound(box, f"62812000001{n}", text, at=monday + dt.timedelta(days=n))
    inbound(box, "6281200000099", HAPPY, at=monday + dt.timedelta(days=8))  # week 2: 0 of 1
    inbound(box, "6281200000098", "Delivery failed", kind="bounce", at=monday)
    conv = Conversation.objects.first()
    actions.add_note(personas.admin, conv, "kecewa")
    rows = sentiment_reports.negative_share_by_week(monday - dt.timedelta(days=1))
    assert [(r["week"], r["inbound"], r["negative"]) for r in rows] == [
        (dt.date(2026, 11, 2), 4, 2),
        (dt.date(2026, 11, 9), 1, 0),
    ]
    assert rows[0]["share"] == 0.5 and rows[1]["share"] == 0.0
    later = sentiment_reports.negative_share_by_week(monday + dt.timedelta(days=7))
    assert [r["inbound"] for r in later] == [1]


def test_the_backfill_labels_old_messages_without_re_routing(personas):
    from io import StringIO

    from django.core.management import call_command

    box = inbox("whatsapp")
    conv = inbound(box, "6281200000005", HAPPY).conversation
    angry = inbound(box, "6281200000005", ANGRY)
    Message.objects.update(sentiment="")
    Conversation.objects.update(sentiment="", priority="normal")
    out = StringIO()
    call_command("score_sentiment", "--batch", "1", stdout=out)
    assert "2 messages labelled, 1 conversations updated" in out.getvalue()
    assert Message.objects.get(pk=angry.pk).sentiment == "negative"
    conv.refresh_from_db()
    assert conv.sentiment == "negative" and conv.priority == "normal"
    call_command("score_sentiment", stdout=out)
    assert "0 messages labelled" in out.getvalue()
