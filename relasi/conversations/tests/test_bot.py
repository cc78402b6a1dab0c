import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from relasi.conversations import actions, bot, bot_eval, bot_text, channels
from relasi.conversations.choices import Direction, MessageKind
from relasi.conversations.models import Message
from relasi.conversations.tests.factories import inbound, inbox
from relasi.service import actions as service_actions
from relasi.service.businesstime import Calendar
from relasi.service.models import Article, BusinessHours

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
OFFICE = Calendar.build({d: [(8 * 60, 17 * 60)] for d in range(5)})  # Mon–Fri 08:00–17:00
TUESDAY_10 = dt.datetime(2026, 12, 8, 10, 0, tzinfo=WIB)
SATURDAY_20 = dt.datetime(2026, 12, 5, 20, 0, tzinfo=WIB)
RETUR = "kebijakan-retur-7-hari"
GARANSI = "cara-klaim-garansi-rice-cooker"


@pytest.fixture
def kb(db):
    bot._cache.clear()
    bot_eval.seed_demo_kb()
    return {a.slug: a for a in Article.objects.all()}


def _bot_box(kind="webchat", **config):
    return inbox(kind, config={"bot": True, **config})


def _bot_messages(conversation):
    return list(
        Message.objects.filter(
            conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.SYSTEM
        ).order_by("id")
    )


def test_it_answers_informal_indonesian_with_the_article_and_its_link(kb):
    got = bot.answer("gmn cara klaim garansi magicom?", "id", calendar=OFFICE)
    assert got.kind == "answer" and got.confidence >= bot.ANSWER_AT
    assert [s.slug for s in got.sources] == [GARANSI]
    assert "Cara klaim garansi rice cooker" in got.text
    assert got.sources[0].url.endswith(f"/{GARANSI}/") and got.sources[0].url in got.text
    assert "Selengkapnya" in got.text  # the frame is Indonesian too


def test_the_answer_quotes_the_paragraph_that_fits_the_question(kb):
    got = bot.answer("brp hari kirim ke luar jawa ya", "id", calendar=OFFICE)
    assert got.kind == "answer" and got.sources[0].slug == "lacak-pengiriman"
    assert "luar Jawa 4–7 hari kerja" in got.text
    got = bot.answer("is water damage covered by the warranty?", "en", calendar=OFFICE)
    assert "does not cover damage from drops, water" in got.text


def test_it_answers_english_from_the_english_translation(kb):
    got = bot.answer("I would like a refund, what is the return policy?", "en", calendar=OFFICE)
    assert got.kind == "answer"
    assert got.sources[0].slug == RETUR
    assert "7-day return policy" in got.text and "Read more" in got.text


def test_an_english_question_finds_an_article_written_only_in_indonesian(kb):
    got = bot.answer("Do you offer installments with a credit card?", "en", calendar=OFFICE)
    assert got.kind == "answer" and got.sources[0].slug == "metode-pembayaran"


def test_an_ambiguous_question_gets_the_closest_articles_to_choose_from(kb):
    got = bot.answer("retur atau garansi, mana yang berlaku?", "id", calendar=OFFICE)
    assert got.kind == "clarify" and got.confidence < bot.ANSWER_AT
    slugs = [s.slug for s in got.sources]
    assert {GARANSI, RETUR} <= set(slugs) and len(slugs) <= bot.OFFERS
    assert "1. " in got.text and "2. " in got.text
    assert "Cara klaim garansi rice cooker" in got.text and "Kebijakan retur 7 hari" in got.text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Saya mau bicara dengan agen", "id"),
        ("bisa sambungkan ke CS?", "id"),
        ("mau ngomong sama manusia aja", "id"),
        ("can I talk to a human please", "en"),
        ("agent", "en"),
    ],
)
def test_it_hands_off_when_asked_for_a_person(kb, text, lang):
    got = bot.answer(text, lang, now=TUESDAY_10, calendar=OFFICE)
    assert got.kind == "handoff" and got.reason == "asked" and got.sources == []


def test_it_hands_off_when_no_article_matches(kb):
    got = bot.answer("Harga TV LED 43 inch berapa?", "id", now=TUESDAY_10, calendar=OFFICE)
    assert got.kind == "handoff" and got.reason == "no_match"
    assert "segera" in got.text


def test_the_after_hours_hand_off_promises_the_next_opening(kb):
    got = bot.answer("Saya mau bicara dengan agen", "id", now=SATURDAY_20, calendar=OFFICE)
    assert "Senin, 7 Desember 2026, 08:00 WIB" in got.text
    assert "segera" not in got.text
    got = bot.answer("agent please", "en", now=SATURDAY_20, calendar=OFFICE)
    assert "Monday, 7 December 2026, 08:00 WIB" in got.text


def test_the_hand_off_reads_the_service_default_business_hours(kb):
    BusinessHours.objects.create(
        name="Kantor", is_default=True, hours={str(d): [[480, 1020]] for d in range(5)}
    )
    got = bot.answer("human please", "en", now=dt.datetime(2026, 12, 8, 6, 30, tzinfo=WIB))
    assert "Tuesday, 8 December 2026, 08:00 WIB" in got.text


def test_a_greeting_gets_an_offer_of_articles_and_an_empty_kb_a_hand_off(db):
    bot._cache.clear()
    assert bot.answer("halo kak", "id", now=TUESDAY_10, calendar=OFFICE).kind == "handoff"
    bot_eval.seed_demo_kb()
    got = bot.answer("halo kak", "id", now=TUESDAY_10, calendar=OFFICE)
    assert got.kind == "clarify" and len(got.sources) == bot.OFFERS
    assert got.text.startswith("Halo! Ada yang bisa kami bantu?")


def test_next_opening_is_now_while_open():
    assert bot.next_opening(OFFICE, TUESDAY_10) == TUESDAY_10
    assert bot.next_opening(Calendar.build({}), TUESDAY_10) is None


def test_drafts_and_internal_articles_are_never_used(kb):
    for question in ["Promo Ramadan tahun ini apa saja?", "SOP menangani pelanggan yang marah"]:
        got = bot.answer(question, "id", calendar=OFFICE)
        assert not {s.slug for s in got.sources} & {"promo-ramadan-draft", "sop-pelanggan-marah"}
    assert {a.slug for a in bot.index().articles.values()} == {
        GARANSI,
        RETUR,
        "lacak-pengiriman",
        "metode-pembayaran",
        "merawat-kipas-angin",
    }


def test_the_index_is_rebuilt_when_an_article_is_withdrawn(kb):
    before = bot.index()
    assert bot.index() is before  # cached while nothing changes
    fan = kb["merawat-kipas-angin"]
    service_actions.save_article(
        None,
        fan,
        {"slug": fan.slug, "visibility": "public", "status": "draft"},
        {"id": {"title": "Merawat kipas angin", "body": "Bersihkan kipas."}},
    )
    assert bot.index() is not before
    got = bot.answer("cara membersihkan kipas angin", "id", calendar=OFFICE)
    assert "merawat-kipas-angin" not in [s.slug for s in got.sources]


# --- in a conversation ----------------------------------------------------------------------------
def test_a_bot_inbox_answers_a_new_chat_with_the_sources(kb):
    box = _bot_box()
    msg = inbound(box, "visitor-1", "Kebijakan retur seperti apa?")
    conv = msg.conversation
    [reply] = _bot_messages(conv)
    assert reply.meta["bot"] == "answer" and reply.meta["sources"] == [kb[RETUR].pk]
    assert kb[RETUR].public_url() in reply.body
    conv.refresh_from_db()
    # An automatic answer does not count as the team's first response.
    assert conv.first_responded_at is None and conv.waiting_since is not None


class _FakeWhatsApp:
    kind = "whatsapp"

    def send(self, inbox, message):
        return channels.SendResult(True, external_id=f"wamid.out{message.pk}")

    def freeform_until(self, conversation):
        return None


def test_whatsapp_too_but_not_e_mail_nor_an_inbox_without_the_setting(kb, monkeypatch):
    monkeypatch.setitem(channels._ADAPTERS, "whatsapp", _FakeWhatsApp())
    wa = _bot_box("whatsapp")
    msg = inbound(wa, "6281234567890", "cara lacak pengiriman?", external_id="wamid.b1")
    assert len(_bot_messages(msg.conversation)) == 1
    mail = inbox("email", config={"bot": True})
    msg = inbound(mail, "siti@contoh.test", "cara lacak pengiriman?")
    assert _bot_messages(msg.conversation) == []
    plain = inbox("webchat", address="chat.test")
    msg = inbound(plain, "visitor-2", "cara lacak pengiriman?")
    assert _bot_messages(msg.conversation) == []


def test_a_hand_off_leaves_a_note_for_the_team_and_the_bot_goes_quiet(kb):
    box = _bot_box()
    msg = inbound(box, "visitor-3", "saya mau bicara dengan orang")
    conv = msg.conversation
    [reply] = _bot_messages(conv)
    assert reply.meta["bot"] == "handoff"
    note = Message.objects.get(conversation=conv, direction=Direction.NOTE)
    assert note.kind == MessageKind.SYSTEM and note.meta == {"bot": "handoff", "reason": "asked"}
    assert bot.is_silent(conv)
    inbound(box, "visitor-3", "cara retur?")
    assert len(_bot_messages(conv)) == 1


def test_the_bot_stops_once_an_agent_has_replied(kb, personas):
    box = _bot_box()
    conv = inbound(box, "visitor-4", "cara klaim garansi rice cooker?").conversation
    assert len(_bot_messages(conv)) == 1
    actions.reply(personas.rep, conv, "Halo, saya Yusuf, saya bantu ya.")
    inbound(box, "visitor-4", "kebijakan retur 7 hari?")
    assert len(_bot_messages(conv)) == 1


def test_a_number_after_a_clarifying_question_picks_that_article(kb):
    box = _bot_box()
    conv = inbound(box, "visitor-5", "retur atau garansi, mana yang berlaku?").conversation
    [question] = _bot_messages(conv)
    assert question.meta["bot"] == "clarify"
    second = question.meta["sources"][1]
    inbound(box, "visitor-5", "2")
    answer = _bot_messages(conv)[-1]
    assert answer.meta["bot"] == "answer" and answer.meta["sources"] == [second]


def test_clarifying_twice_without_progress_hands_over(kb):
    box = _bot_box()
    conv = inbound(box, "visitor-6", "retur atau garansi, mana yang berlaku?").conversation
    inbound(box, "visitor-6", "garansi atau retur, mana yang berlaku ya?")
    inbound(box, "visitor-6", "mana yang berlaku, retur atau garansi?")
    kinds = [m.meta["bot"] for m in _bot_messages(conv)]
    assert kinds == ["clarify", "clarify", "handoff"]


def test_informal_words_and_colloquial_verbs_are_normalised():
    assert bot_text.analyse("gmn bersihin kipas yg kotor", "id") == ["bersih", "kipas", "kotor"]
    assert bot_text.analyse("brp lama garansi laptop?", "id") == ["lama", "garansi", "laptop"]
    assert bot_text.en_stem("deliveries") == "deliver" and bot_text.en_stem("shipped") == "ship"
    assert bot_text.detect_language("how do I return this item", "id") == "en"
    assert bot_text.detect_language("saya mau tanya yang ini", "en") == "id"


# Measured on the test half (bench/eval_bot.py): id 97.3 % accuracy at 81.8 % coverage, en
# 94.7 % at 86.0 %; the floors sit a few points below so a regression fails here.
@pytest.mark.parametrize(("lang", "accuracy", "coverage"), [("id", 0.92, 0.75), ("en", 0.90, 0.80)])
def test_accuracy_on_the_held_out_questions_stays_above_the_floor(kb, lang, accuracy, coverage):
    result = bot_eval.run(lang, "test")
    mine, base = result["bot"], result["baseline_words"]
    assert mine.questions >= 50
    assert mine.accuracy >= accuracy and mine.coverage >= coverage
    assert mine.handoff_precision >= 0.9
    assert mine.accuracy > base.accuracy + 0.15


def test_an_administrator_turns_the_bot_on_for_web_chat_only_where_it_applies(personas):
    from relasi.conversations.models import Inbox
    from relasi.core.testing import client_for

    client = client_for(personas.admin)
    base = {
        "unknown_sender": "contact",
        "language": "id",
        "first_response_minutes": 30,
        "resolution_minutes": 600,
        "active": "on",
        "cfg_bot": "on",
    }
    for name, kind in [("Chat situs", "webchat"), ("Surel", "email")]:
        r = client.post(
            "/conversations/settings/inboxes/new/", {**base, "name": name, "kind": kind}
        )
        assert r.status_code == 302, r.content.decode()[:2000]
    assert Inbox.objects.get(kind="webchat").config == {"bot": True}
    assert Inbox.objects.get(kind="email").config == {}
    chat = Inbox.objects.get(kind="webchat")
    page = client.get(f"/conversations/settings/inboxes/{chat.pk}/edit/").content.decode()
    assert 'name="cfg_bot"' in page and "checked" in page


def test_the_bot_keeps_quiet_where_the_channel_may_not_send(kb, monkeypatch):
    monkeypatch.delitem(channels._ADAPTERS, "whatsapp", raising=False)
    msg = inbound(_bot_box("whatsapp"), "6281234567891", "cara retur?", external_id="wamid.q")
    assert _bot_messages(msg.conversation) == []


def test_a_failing_bot_never_loses_the_customers_message(kb, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("index unavailable")

    logged = []
    monkeypatch.setattr(bot, "answer", broken)
    monkeypatch.setattr(bot.log, "exception", lambda *a, **kw: logged.append((a, kw)))
    msg = inbound(_bot_box(), "visitor-7", "cara retur?")
    assert Message.objects.filter(pk=msg.pk).exists()
    assert _bot_messages(msg.conversation) == []
    assert logged == [(("the chatbot failed",), {"extra": {"message_id": msg.pk}})]
