"""Measuring the chatbot on labelled customer questions (data/bot_questions_{id,en}.csv:
question, expected article slug or "handoff", split dev/test), against the service app's
search_articles top hit as the baseline. Used by bench/eval_bot.py and the accuracy test.

Thresholds and word lists were tuned on the dev rows only; the figures to report are test's."""

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Row:
    question: str
    expected: str  # an article slug or "handoff"
    split: str


@dataclass
class Scores:
    questions: int = 0
    answerable: int = 0
    answered: int = 0
    correct: int = 0
    answered_answerable: int = 0
    clarified: int = 0
    clarify_hit: int = 0
    handoffs: int = 0
    handoff_right: int = 0
    out_of_scope: int = 0

    @property
    def accuracy(self) -> float:
        """Top-1 correct among the questions answered outright."""
        return self.correct / self.answered if self.answered else 0.0

    @property
    def coverage(self) -> float:
        """Share of the answerable questions answered outright."""
        return self.answered_answerable / self.answerable if self.answerable else 0.0

    @property
    def handoff_precision(self) -> float:
        return self.handoff_right / self.handoffs if self.handoffs else 0.0

    @property
    def handoff_recall(self) -> float:
        return self.handoff_right / self.out_of_scope if self.out_of_scope else 0.0

    def add(self, expected: str, kind: str, slugs: list[str]) -> None:
        self.questions += 1
        in_scope = expected != "handoff"
        self.answerable += in_scope
        self.out_of_scope += not in_scope
        if kind == "answer":
            self.answered += 1
            self.answered_answerable += in_scope
            self.correct += bool(slugs) and slugs[0] == expected
        elif kind == "clarify":
            self.clarified += 1
            self.clarify_hit += expected in slugs
        else:
            self.handoffs += 1
            self.handoff_right += not in_scope


def load(language: str, split: str | None = None) -> list[Row]:
    with (DATA / f"bot_questions_{language}.csv").open(encoding="utf-8") as f:
        rows = [Row(r["question"], r["expected"], r["split"]) for r in csv.DictReader(f)]
    return [r for r in rows if split in (None, "all", r.split)]


def seed_demo_kb() -> None:
    """The PT XYZ demo's knowledge base (the service demo's own seeding), once."""
    from relasi.service import demo, search
    from relasi.service.models import ArticleCategory

    if not ArticleCategory.objects.exists():
        demo._kb({"users": {"cs.yusuf": None}})
        search.rebuild_index()


def run(language: str, split: str | None = "test") -> dict[str, Any]:
    """Bot and baseline scores over one language's questions."""
    from relasi.conversations import bot
    from relasi.service.search import search_articles
    from relasi.service.sla import calendar_for

    calendar = calendar_for(None)
    slugs = {a.id: a.slug for a in bot.index().articles.values()}
    mine, base, words = Scores(), Scores(), Scores()
    misses = []
    spent = 0.0
    for row in load(language, split):
        started = time.perf_counter()
        got = bot.answer(row.question, language, calendar=calendar)
        spent += time.perf_counter() - started
        found = [slugs[s.id] for s in got.sources]
        mine.add(row.expected, got.kind, found)
        if (got.kind == "answer" and found[:1] != [row.expected]) or (
            got.kind == "handoff" and row.expected != "handoff"
        ):
            misses.append((row.question, row.expected, got.kind, found[:1]))
        hits = search_articles(row.question, public_only=True, language=language, limit=1)
        base.add(row.expected, "answer" if hits else "handoff", [a.slug for a in hits])
        top = _by_words(row.question, language)
        words.add(row.expected, "answer" if top else "handoff", top)
    return {
        "bot": mine,
        "baseline": base,
        "baseline_words": words,
        "misses": misses,
        "bot_ms": spent * 1000 / max(1, mine.questions),
    }


def _by_words(question: str, language: str) -> list[str]:
    """A second baseline: search_articles once per word of four letters or more (the whole
    question is one phrase to it, which rarely matches), the article most words found."""
    from relasi.service.search import clean_term, search_articles

    votes: dict[str, int] = {}
    for word in dict.fromkeys(clean_term(question).split()):
        if len(word) < 4:
            continue
        for article in search_articles(word, public_only=True, language=language, limit=5):
            votes[article.slug] = votes.get(article.slug, 0) + 1
    best = sorted(votes.items(), key=lambda kv: -kv[1])[:1]
    return [slug for slug, _n in best]
