"""The chatbot: answers web chat and WhatsApp from the published public knowledge base, asks
which article was meant when unsure, and hands the conversation to the team when it cannot
help, when the customer asks for a person, or once an agent has written.

Retrieval is BM25 (bot_text) over each published public article's title, summary, text and
keywords (its category's names and its address) in all its translations, each analysed in its
own language; the question is analysed in the conversation's language (or the one it is
plainly written in). The index lives in the process and is rebuilt when the articles' version
key (count and latest change) moves.

The bot's messages are automatic (`MessageKind.SYSTEM`): they do not stop the first-response
clock, so the SLA still measures the people. A hand-off leaves an internal note of kind SYSTEM
with meta {"bot": "handoff"}; from then on (or after an agent's reply) the bot is silent in
that conversation."""

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from relasi.conversations import bot_text
from relasi.conversations.choices import DeliveryStatus, Direction, MessageKind
from relasi.conversations.models import Conversation, Message

log = logging.getLogger("relasi.conversations.bot")

CHANNELS = ("webchat", "whatsapp")
# Tuned on the development half of data/bot_questions_*.csv (bench/eval_bot.py --split dev).
ANSWER_AT = 0.5  # confidence from which the bot answers outright
CLARIFY_AT = 0.2  # idf coverage of the question from which it offers the closest articles
MAX_CLARIFY = 2  # after this many clarifying questions in a row, a person takes over
OFFERS = 3

_HUMAN = re.compile(
    r"\b(agen|cs|customer service|operator|petugas|manusia|orang asli|orang beneran|"
    r"(bicara|ngomong|ngobrol|chat|hubungi|sambungkan)( dengan| sama| ke)? (orang|staf|admin)|"
    r"human|agent|real person|a person|someone real|representative|live chat|"
    r"talk to (someone|somebody|a person)|speak to (someone|somebody|a person))\b",
    re.IGNORECASE,
)


@dataclass
class Source:
    id: int
    slug: str
    title: str
    url: str


@dataclass
class Answer:
    kind: str  # "answer" | "clarify" | "handoff"
    text: str
    sources: list[Source] = field(default_factory=list)
    confidence: float = 0.0
    reason: str = ""  # for a hand-off: "asked", "no_match", "repeated"


# --- the index ----------------------------------------------------------------------------------
@dataclass
class _Article:
    id: int
    slug: str
    url: str
    titles: dict[str, str]
    summaries: dict[str, str]
    # Per language, the text's paragraphs and list items with their terms (for the quote).
    passages: dict[str, list[tuple[str, frozenset[str]]]] = field(default_factory=dict)


@dataclass
class Index:
    version: tuple[Any, ...]
    articles: dict[int, _Article]
    bm25: bot_text.BM25


_cache: dict[str, Index] = {}


def _published() -> Any:
    from relasi.service.choices import ArticleStatus, ArticleVisibility
    from relasi.service.models import Article

    return Article.objects.filter(
        visibility=ArticleVisibility.PUBLIC, status=ArticleStatus.PUBLISHED
    )


def _version() -> tuple[Any, ...]:
    row = _published().aggregate(
        n=Count("id", distinct=True), a=Max("updated_at"), t=Max("translations__updated_at")
    )
    return (row["n"], row["a"], row["t"])


def _document(article: Any) -> list[str]:
    terms: list[str] = []
    cat = article.category
    keywords = " ".join([article.slug.replace("-", " "), *([cat.name, cat.name_id] if cat else [])])
    for tr in article.translations.all():
        lang = "en" if tr.language == "en" else "id"
        title = bot_text.analyse(tr.title, lang)
        summary = bot_text.analyse(tr.summary, lang)
        # Field weights by repetition: a word of the title counts three times, of the summary
        # and the keywords twice.
        terms += title * 3 + summary * 2 + bot_text.analyse(tr.body, lang)
        terms += bot_text.analyse(keywords, lang) * 2
    return terms


def index() -> Index:
    """The current index (rebuilt when an article is published, changed or withdrawn)."""
    from relasi.core import links

    version = _version()
    cached = _cache.get("kb")
    if cached is not None and cached.version == version:
        return cached
    articles: dict[int, _Article] = {}
    docs: list[tuple[int, list[str]]] = []
    rows = _published().select_related("category").prefetch_related("translations")
    for article in rows.order_by("pk"):
        trs = list(article.translations.all())
        if not trs:
            continue
        articles[article.pk] = _Article(
            article.pk,
            article.slug,
            links.absolute(article.public_url()),
            {tr.language: tr.title for tr in trs},
            {tr.language: tr.summary for tr in trs},
            {tr.language: _passages(tr.body, tr.language) for tr in trs},
        )
        docs.append((article.pk, _document(article)))
    built = Index(version, articles, bot_text.BM25(docs))
    _cache["kb"] = built
    return built


def _source(a: _Article, language: str) -> Source:
    title = a.titles.get(language) or next(iter(a.titles.values()))
    return Source(a.id, a.slug, title, a.url)


# --- answering ----------------------------------------------------------------------------------
def wants_human(text: str) -> bool:
    return bool(_HUMAN.search(text or ""))


def answer(
    question: str,
    language: str = "id",
    *,
    now: dt.datetime | None = None,
    calendar: Any = None,
) -> Answer:
    """What the bot says to `question`: an article, a choice of articles, or a hand-off."""
    language = "en" if language[:2] == "en" else "id"
    if wants_human(question):
        return handoff(language, "asked", now=now, calendar=calendar)
    idx = index()
    if not idx.articles:  # nothing published yet: people answer
        return handoff(language, "no_match", now=now, calendar=calendar)
    terms = bot_text.analyse(question, language, query=True)
    if not terms:
        return _offer(idx, language, [], greeting=True)
    hits = idx.bm25.rank(terms, limit=OFFERS)
    if not hits or hits[0].coverage < CLARIFY_AT:
        return handoff(language, "no_match", now=now, calendar=calendar)
    best = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    margin = (best.score - second) / best.score
    confidence = round(best.coverage * (0.5 + 0.5 * margin), 3)
    if confidence >= ANSWER_AT:
        return _answer(idx.articles[best.key], language, confidence, terms, idx.bm25)
    return _offer(idx, language, [h.key for h in hits], confidence=confidence)


def _passages(body: str, language: str) -> list[tuple[str, frozenset[str]]]:
    out = []
    for block in re.split(r"\n\s*\n|\n(?=- )", body):
        text = block.strip().removeprefix("- ").strip()
        if text and not text.startswith("## "):
            lang = "en" if language == "en" else "id"
            out.append((text, frozenset(bot_text.analyse(text, lang))))
    return out


def _passage(article: _Article, language: str, terms: list[str], bm25: Any) -> str:
    """The paragraph or list item of the article's text that shares most with the question
    ("Pulau Jawa 2–4 hari kerja" for "berapa lama kirim ke Surabaya?"); "" when none does."""
    lang = language if language in article.passages else next(iter(article.passages), "")
    groups = [set(t.split("|")) for t in terms]
    best, best_score = "", 0.0
    for text, found in article.passages.get(lang, []):
        score = sum(max(bm25.idf(t) for t in g) for g in groups if g & found)
        if score > best_score:
            best, best_score = text, score
    return best[:400]


def _answer(
    article: _Article,
    language: str,
    confidence: float,
    terms: list[str] | None = None,
    bm25: Any = None,
) -> Answer:
    source = _source(article, language)
    summary = article.summaries.get(language) or next(iter(article.summaries.values()), "")
    passage = _passage(article, language, terms, bm25) if terms and bm25 is not None else ""
    if passage and passage in summary:
        passage = ""
    with translation.override(language):
        text = "\n".join(
            part
            for part in [
                source.title,
                summary,
                *([passage] if passage else []),
                "",
                _("Read more: %(url)s") % {"url": source.url},
                _('Not what you needed? Type "agent" to talk to our team.'),
            ]
            if part is not None
        )
    return Answer("answer", text, [source], confidence)


def _offer(
    idx: Index, language: str, keys: list[int], *, confidence: float = 0.0, greeting: bool = False
) -> Answer:
    if not keys:  # nothing to go on: the first articles of the help centre
        keys = list(idx.articles)[:OFFERS]
    sources = [_source(idx.articles[k], language) for k in keys[:OFFERS]]
    with translation.override(language):
        head = (
            _("Hello! How can I help? Write your question, or choose one of these:")
            if greeting
            else _("Did you mean one of these?")
        )
        lines = [head]
        lines += [f"{i}. {s.title} — {s.url}" for i, s in enumerate(sources, 1)]
        lines.append(_('Reply with its number, or type "agent" to talk to our team.'))
    return Answer("clarify", "\n".join(lines), sources, confidence)


def next_opening(calendar: Any, now: dt.datetime) -> dt.datetime | None:
    """`now` if the calendar is open, else the start of its next opening (None: none soon)."""
    day = now.astimezone(calendar.tz).date()
    for _i in range(31):
        for start, end in calendar.open_spans(day):
            if end > now:
                return max(start, now)
        day += dt.timedelta(days=1)
    return None


def handoff(
    language: str, reason: str, *, now: dt.datetime | None = None, calendar: Any = None
) -> Answer:
    """The hand-off message: a reply soon while the team is in, else when it opens next."""
    from relasi.service.sla import calendar_for

    now = now or timezone.now()
    calendar = calendar or calendar_for(None)
    opening = next_opening(calendar, now)
    with translation.override(language):
        first = (
            _("Sorry, I could not find the answer to that.")
            if reason == "no_match"
            else _("All right, I am passing you to our team.")
        )
        if opening is not None and opening <= now:
            then = _("An agent will reply here shortly.")
        elif opening is not None:
            local = opening.astimezone(calendar.tz)
            when = f"{formats.date_format(local, 'l, j F Y, H:i')} {local.tzname() or ''}".strip()
            then = _(
                "We are outside our working hours now; an agent will reply here from %(when)s."
            ) % {"when": when}
        else:
            then = _("An agent will reply here as soon as possible.")
    return Answer("handoff", f"{first} {then}", [], 0.0, reason)


# --- in a conversation --------------------------------------------------------------------------
def is_enabled(inbox: Any) -> bool:
    return inbox.kind in CHANNELS and inbox.active and (inbox.config or {}).get("bot") is True


def is_silent(conversation: Conversation) -> bool:
    """An agent has replied, or the bot has handed over: people carry on from here."""
    msgs = Message.objects.filter(conversation=conversation)
    agent = msgs.filter(direction=Direction.OUTBOUND, kind=MessageKind.NORMAL)
    return agent.exists() or msgs.filter(meta__bot="handoff").exists()


def respond(conversation: Conversation, message: Message) -> Message | None:
    """The bot's reply to an inbound message of a bot-enabled inbox (None when it keeps quiet).
    Called by actions.receive after the message is stored; never raises (the message is in)."""
    try:
        return _respond(conversation, message)
    except Exception:
        log.exception("the chatbot failed", extra={"message_id": message.pk})
        return None


def _respond(conversation: Conversation, message: Message) -> Message | None:
    if message.direction != Direction.INBOUND or message.kind != MessageKind.NORMAL:
        return None
    if not is_enabled(conversation.inbox) or not (message.body or "").strip():
        return None
    if Message.objects.filter(pk=message.pk, meta__has_key="keyword").exists():
        return None  # YA / STOP: the consent ledger has answered
    if is_silent(conversation):
        return None
    from relasi.conversations.actions import may_reply

    if not may_reply(conversation)[0]:
        return None  # the privacy gate or the channel says no: the team sees the message
    language = bot_text.detect_language(
        message.body, (conversation.language or conversation.inbox.language or "id")[:2]
    )
    previous = _last_bot_message(conversation)
    result = _choice(previous, message.body, language) or answer(message.body, language)
    if result.kind == "clarify" and _clarify_streak(conversation) >= MAX_CLARIFY:
        result = handoff(language, "repeated")
    return _send(conversation, result)


def _last_bot_message(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, meta__has_key="bot")
        .exclude(direction=Direction.NOTE)
        .order_by("-created_at", "-id")
        .first()
    )


def _choice(previous: Message | None, body: str, language: str) -> Answer | None:
    """ "2" after a clarifying question: the second article offered."""
    if previous is None or previous.meta.get("bot") != "clarify":
        return None
    picked = re.fullmatch(r"\s*(\d)\s*[.)]?\s*", body)
    offered = previous.meta.get("sources") or []
    if not picked or not 1 <= int(picked.group(1)) <= len(offered):
        return None
    article = index().articles.get(offered[int(picked.group(1)) - 1])
    return _answer(article, language, 1.0) if article else None


def _clarify_streak(conversation: Conversation) -> int:
    streak = 0
    bot_kinds = (
        Message.objects.filter(conversation=conversation, meta__has_key="bot")
        .exclude(direction=Direction.NOTE)
        .order_by("-created_at", "-id")
        .values_list("meta", flat=True)[:MAX_CLARIFY]
    )
    for meta in bot_kinds:
        if meta.get("bot") != "clarify":
            break
        streak += 1
    return streak


def _send(conversation: Conversation, result: Answer) -> Message:
    from relasi.conversations import actions

    reply = actions._queue(conversation, result.text, author=None, system=True)
    meta = {
        **reply.meta,
        "bot": result.kind,
        "sources": [s.id for s in result.sources],
        "confidence": result.confidence,
    }
    Message.objects.filter(pk=reply.pk).update(meta=meta)
    reply.meta = meta
    if result.kind == "handoff":
        _hand_over(conversation, result)
    return reply


def _hand_over(conversation: Conversation, result: Answer) -> None:
    """A note for the team and, when nobody has the conversation yet, the queue's next agent."""
    reasons = {
        "asked": _("the customer asked for a person"),
        "no_match": _("no article answers the question"),
        "repeated": _("the customer's questions stayed unclear"),
    }
    Message.objects.create(
        conversation=conversation,
        inbox_id=conversation.inbox_id,
        direction=Direction.NOTE,
        kind=MessageKind.SYSTEM,
        body=_("The bot handed this conversation to the team: %(reason)s.")
        % {"reason": reasons.get(result.reason, result.reason)},
        status=DeliveryStatus.RECEIVED,
        meta={"bot": "handoff", "reason": result.reason},
    )
    inbox = conversation.inbox
    if conversation.owner_id is None and inbox.queue is not None:
        from relasi.service.routing import pick_agent

        agent = pick_agent(inbox.queue)
        if agent is not None:
            Conversation.objects.filter(pk=conversation.pk, owner__isnull=True).update(
                owner=agent, team=conversation.team or getattr(agent, "team", None)
            )
            conversation.owner = agent
