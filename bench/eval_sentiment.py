"""Accuracy and macro-F1 of the sentiment scorer (relasi.conversations.sentiment) on the
labelled sets in relasi/conversations/data/, per language and half, against a majority-class
baseline. Run: PYTHONPATH=. python bench/eval_sentiment.py"""

import time

from relasi.conversations import sentiment_eval as ev


def main() -> None:
    print(f"{'set':<8}{'half':<6}{'n':>5}{'accuracy':>10}{'macro-F1':>10}{'base acc':>10}"
          f"{'base F1':>9}{'F1 ratio':>10}")  # fmt: skip
    for language in ("id", "en"):
        for split in ("dev", "test"):
            m = ev.evaluate(language, split)
            b = ev.majority(language, split)
            ratio = m.macro_f1 / b.macro_f1 if b.macro_f1 else float("inf")
            print(f"{language:<8}{split:<6}{m.n:>5}{m.accuracy:>10.3f}{m.macro_f1:>10.3f}"
                  f"{b.accuracy:>10.3f}{b.macro_f1:>9.3f}{ratio:>9.1f}×")  # fmt: skip
    texts = [t for lang in ("id", "en") for t, _ in ev.load(lang)]
    start = time.perf_counter()
    for t in texts * 10:
        ev.score(t)
    per = (time.perf_counter() - start) / (len(texts) * 10) * 1e6
    print(f"speed: {per:.0f} µs a message ({len(texts)} messages × 10)")


if __name__ == "__main__":
    main()
