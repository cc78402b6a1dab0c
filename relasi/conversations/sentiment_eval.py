"""The labelled evaluation sets of the sentiment scorer (data/sentiment_{id,en}.csv) and their
measures. Each set splits in two by a hash of the text: the dev half may be looked at while
changing the scorer's rules, the test half is only reported on (bench/eval_sentiment.py)."""

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from relasi.conversations.sentiment import score

DATA = Path(__file__).resolve().parent / "data"
LABELS = ("positive", "neutral", "negative")


def split_of(text: str) -> str:
    return (
        "dev" if hashlib.sha1(text.encode(), usedforsecurity=False).digest()[0] % 2 == 0 else "test"
    )


def load(language: str, split: str | None = None) -> list[tuple[str, str]]:
    """(text, label) rows of one language, all of them or one half ("dev", "test")."""
    with open(DATA / f"sentiment_{language}.csv", encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(f)]
    return [r for r in rows if split is None or split_of(r[0]) == split]


@dataclass
class Measure:
    n: int
    accuracy: float
    macro_f1: float


def measure(gold: list[str], predicted: list[str]) -> Measure:
    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    f1s = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return Measure(len(gold), right / len(gold) if gold else 0.0, sum(f1s) / len(LABELS))


def evaluate(language: str, split: str, *, given_language: bool = False) -> Measure:
    """The scorer on one half; `given_language` passes the set's language instead of letting
    the scorer detect it."""
    rows = load(language, split)
    predicted = [score(t, language if given_language else None)[0] for t, _ in rows]
    return measure([g for _, g in rows], [str(p) for p in predicted])


def majority(language: str, split: str) -> Measure:
    """The baseline: every message gets the dev half's most common label."""
    common = Counter(g for _, g in load(language, "dev")).most_common(1)[0][0]
    gold = [g for _, g in load(language, split)]
    return measure(gold, [common] * len(gold))
