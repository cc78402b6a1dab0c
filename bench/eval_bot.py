"""Chatbot evaluation: the bot (relasi/conversations/bot.py) against the baseline, the service
app's search_articles top hit, on the labelled questions of relasi/conversations/data/
(≥ 100 per language, half dev, half test), over the PT XYZ demo's knowledge base (seeded by
the service demo's own _kb into a fresh SQLite database in a temporary directory).

    .venv/bin/python bench/eval_bot.py                 # the test half (the figures to report)
    .venv/bin/python bench/eval_bot.py --split dev --misses   # what tuning looked at

accuracy = top-1 correct among the questions answered outright; coverage = answerable
questions answered outright; hand-off precision = hand-offs that were right (the KB cannot
answer, or the customer asked for a person); clarified = a choice of articles was offered
(hit: the right one among them). baseline = search_articles(question)[0] (the help centre's
search: the question is one phrase); baseline_words = search_articles per word of ≥ 4 letters,
the article most words found.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='relasi-bot-')}/eval.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relasi.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from relasi.conversations import bot_eval  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="test", choices=["dev", "test", "all"])
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    bot_eval.seed_demo_kb()
    print(f"split: {args.split}")
    header = (
        f"{'lang':4} {'method':14} {'n':>4} {'accuracy':>9} {'coverage':>9} "
        f"{'clarified':>9} {'clar.hit':>8} {'hand-offs':>9} {'h.prec':>7} {'h.recall':>8} {'ms/q':>6}"
    )
    print(header)
    for lang in ("id", "en"):
        result = bot_eval.run(lang, args.split)
        per_q = result["bot_ms"]  # the bot's answer() alone, index built and stemmer warm
        for name in ("bot", "baseline", "baseline_words"):
            s = result[name]
            print(
                f"{lang:4} {name:14} {s.questions:>4} {s.accuracy:>9.1%} {s.coverage:>9.1%} "
                f"{s.clarified:>9} {s.clarify_hit:>8} {s.handoffs:>9} {s.handoff_precision:>7.1%} "
                f"{s.handoff_recall:>8.1%} {per_q if name == 'bot' else float('nan'):>6.1f}"
            )
        if args.misses:
            for question, expected, kind, got in result["misses"]:
                print(f"   miss [{lang}] {question!r}: expected {expected}, {kind} {got}")


if __name__ == "__main__":
    main()
