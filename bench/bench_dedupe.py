"""Duplicate-scan benchmark: Relasi's matcher against a straightforward rapidfuzz baseline.

Generates N synthetic Indonesian contacts (names from relasi/customers/demo_data.py) of which 5%
are planted near-duplicates of another contact (typos, transpositions, spelling variants and
old spelling, reordered names, titles, initials, e-mail case/dots/+tags, phone formats, another
city), plus hard negatives (family members sharing a phone and a city). Every planted duplicate
keeps at least one contact identifier (possibly reformatted): with names drawn from these lists
about 30 different people share each name, so a name alone identifies nobody.

Both methods get the same raw record dicts and are timed from them to the list of pairs.

    .venv/bin/python bench/bench_dedupe.py            # 100,000 contacts
    .venv/bin/python bench/bench_dedupe.py --n 2000
"""

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relasi.settings")

import django

django.setup()

from rapidfuzz import fuzz, process  # noqa: E402

from relasi.customers import demo_data as dd  # noqa: E402
from relasi.customers.duplicates import (  # noqa: E402
    MATCH_THRESHOLD,
    SCAN_THRESHOLD,
    Pair,
    Stats,
    find_pairs,
)

CITIES = [city for _prov, cities in dd.PLACES for city, *_rest in cities]
# Spellings people really use for the same name (independent of the matcher's own table).
VARIANTS = {
    "Muhammad": ["Muhamad", "Mohammad", "Mohamad", "Moh.", "M."],
    "Siti": ["Sity"],
    "Nur": ["Noor"],
    "Yusuf": ["Yusup", "Jusuf"],
    "Dewi": ["Dwi"],
    "Sri": ["Sry"],
    "Agus": ["Agoes"],
    "Budi": ["Boedi"],
    "Ahmad": ["Achmad", "Akhmad"],
    "Putri": ["Putry"],
    "Teguh": ["Tegoeh"],
    "Wahyu": ["Wahyoe"],
    "Rizky": ["Rizki", "Riski"],
    "Fajar": ["Fadjar"],
    "Eko": ["Echo"],
    "Santoso": ["Santosa", "Soentoso"],
    "Susanto": ["Soesanto"],
    "Tjahjadi": ["Cahyadi"],
    "Wijaya": ["Widjaja", "Wijaja"],
    "Setiawan": ["Setyawan"],
    "Hidayat": ["Hidajat"],
    "Yohanes": ["Johanes"],
    "Arief": ["Arif"],
    "Taufik": ["Taufiq"],
    "Effendi": ["Efendi", "Effendy"],
}
TITLES = ["Bapak", "Ibu", "Pak", "Bu", "H.", "Hj.", "Dr."]


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = "+62" + rng.choice(dd.MOBILE_PREFIXES) + str(rng.randint(10**6, 10**8 - 1))
        if number not in used:
            used.add(number)
            return number


def _email(rng: random.Random, name: str, used: set[str]) -> str:
    parts = name.lower().replace(".", "").split()
    while True:
        local = rng.choice([".", "", "_"]).join(parts[:2]) + str(rng.randint(1, 9999))
        email = f"{local}@{rng.choice(dd.EMAIL_DOMAINS)}"
        key = email.replace(".", "").replace("_", "").split("@")[0] + email.split("@")[1]
        if key not in used:  # unique mailboxes (Gmail ignores dots)
            used.add(key)
            return email


def _person(rng: random.Random) -> tuple[str, str]:
    first_pool = rng.choice([dd.FIRST_F, dd.FIRST_M])
    first = rng.choice(first_pool)
    if rng.random() < 0.3:
        first += " " + rng.choice(first_pool)
    return first, rng.choice(dd.LAST)


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["swap", "sub", "del", "ins"])
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    letter = rng.choice("aeiounrst")
    if op == "sub":
        return word[:i] + letter + word[i + 1 :]
    if op == "del":
        return word[:i] + word[i + 1 :]
    return word[:i] + letter + word[i:]


def _perturb_name(rng: random.Random, name: str) -> str:
    words = name.split()
    kind = rng.choice(["typo", "typo", "variant", "reorder", "case", "title", "same"])
    if kind == "variant":
        options = [i for i, w in enumerate(words) if w in VARIANTS]
        if options:
            i = rng.choice(options)
            words[i] = rng.choice(VARIANTS[words[i]])
            return " ".join(words)
        kind = "typo"
    if kind == "typo":
        i = max(range(len(words)), key=lambda j: (len(words[j]), rng.random()))
        words[i] = _typo(rng, words[i])
    elif kind == "reorder" and len(words) > 1:
        words = words[1:] + words[:1]
    elif kind == "case":
        return name.upper() if rng.random() < 0.5 else name.lower()
    elif kind == "title":
        words.insert(0, rng.choice(TITLES))
    return " ".join(words)


def _perturb_email(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    kind = rng.choice(["case", "dots", "tag", "same"])
    if kind == "case":
        return f"{local.capitalize()}@{domain.upper()}"
    if kind == "dots" and domain == "gmail.com":
        return (
            local.replace(".", "") + "@" + domain
            if "." in local
            else f"{local[:3]}.{local[3:]}@{domain}"
        )
    if kind == "tag":
        return f"{local}+shop@{domain}"
    return email


def _perturb_phone(rng: random.Random, e164: str) -> str:
    national = "0" + e164[3:]
    return rng.choice(
        [
            national,
            f"{national[:4]}-{national[4:8]}-{national[8:]}",
            e164[1:],
            f"+62 {e164[3:6]} {e164[6:10]} {e164[10:]}",
            e164,
        ]
    )


def generate(n: int, seed: int = 2026) -> tuple[list[dict[str, Any]], set[tuple[int, int]]]:
    rng = random.Random(seed)
    phones: set[str] = set()
    emails: set[str] = set()
    n_dup = n // 20
    n_family = n // 50
    records: list[dict[str, Any]] = []
    for i in range(1, n - n_dup - n_family + 1):
        first, last = _person(rng)
        name = f"{first} {last}".strip()
        rec: dict[str, Any] = {"id": i, "name": name, "city": rng.choice(CITIES)}
        rec["phones"] = [_phone(rng, phones)] if rng.random() < 0.9 else []
        rec["emails"] = [_email(rng, name, emails)] if rng.random() < 0.75 else []
        if not rec["phones"] and not rec["emails"]:
            rec["phones"] = [_phone(rng, phones)]
        records.append(rec)
    originals = rng.sample(records, n_dup)
    families = [r for r in records if len(r["name"].split()) >= 2 and r["phones"]]
    originals += rng.sample(families, n_family)
    truth: set[tuple[int, int]] = set()
    next_id = len(records) + 1
    for k, orig in enumerate(originals):
        if k >= n_dup:  # family member: same last name, phone and city, another first name
            last = orig["name"].split()[-1]
            first = orig["name"]
            while set(first.split()) & set(orig["name"].split()):
                first, _last = _person(rng)
            name = f"{first} {last}"
            fam = {"id": next_id, "name": name, "city": orig["city"], "phones": orig["phones"]}
            fam["emails"] = [_email(rng, name, emails)] if rng.random() < 0.5 else []
            records.append(fam)
            next_id += 1
            continue
        dup: dict[str, Any] = {"id": next_id, "name": _perturb_name(rng, orig["name"])}
        keep = rng.choice(["both", "both", "phone", "email"])
        has_phone, has_email = bool(orig["phones"]), bool(orig["emails"])
        if (keep == "phone" and not has_phone) or (keep == "email" and not has_email):
            keep = "both"
        dup["phones"] = (
            [_perturb_phone(rng, orig["phones"][0])] if has_phone and keep != "email" else []
        )
        dup["emails"] = (
            [_perturb_email(rng, orig["emails"][0])] if has_email and keep != "phone" else []
        )
        if not has_phone and keep == "email" and rng.random() < 0.5:
            dup["phones"] = [_phone(rng, phones)]  # a new number the original never had
        dup["city"] = orig["city"] if rng.random() < 0.5 else rng.choice(CITIES)
        records.append(dup)
        truth.add((orig["id"], next_id))
        next_id += 1
    rng.shuffle(records)
    return records, truth


def baseline(records: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """Block on the first 3 letters of the sorted-token name; token_sort_ratio ≥ 90 on
    "name e-mail phone" (lower-cased, phone digits)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    texts: list[str] = []
    for i, r in enumerate(records):
        name = " ".join(sorted(r["name"].lower().split()))
        email = " ".join(e.lower() for e in r["emails"])
        phone = " ".join("".join(c for c in p if c.isdigit())[-9:] for p in r["phones"])
        texts.append(f"{name} {email} {phone}")
        blocks[name[:3]].append(i)
    found: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        choices = [texts[i] for i in members]
        for r, query in enumerate(choices[:-1]):
            rest = choices[r + 1 :]
            hits = process.extract(
                query, rest, scorer=fuzz.token_sort_ratio, score_cutoff=90, limit=None
            )
            for _text, _score, c in hits:
                a, b = records[members[r]]["id"], records[members[r + 1 + c]]["id"]
                found.add((min(a, b), max(a, b)))
    return found


def relasi(records: list[dict[str, Any]], stats: Stats) -> list[Pair]:
    """Every pair the review queue would store (≥ SCAN_THRESHOLD); matches are ≥ MATCH_THRESHOLD."""
    return find_pairs(records, min_score=SCAN_THRESHOLD, stats=stats)


def evaluate(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    truth = {(min(a, b), max(a, b)) for a, b in truth}
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "found": len(found), "tp": tp}


def run(n: int, *, skip_baseline: bool = False, quiet: bool = False) -> dict[str, Any]:
    records, truth = generate(n)
    results: dict[str, Any] = {"n": len(records), "truth": len(truth)}
    if not skip_baseline:
        t0 = time.perf_counter()
        found = baseline(records)
        results["baseline"] = {**evaluate(found, truth), "seconds": time.perf_counter() - t0}
    stats = Stats()
    t0 = time.perf_counter()
    pairs = relasi(records, stats)
    seconds = time.perf_counter() - t0
    found = {(p.a, p.b) for p in pairs if p.score >= MATCH_THRESHOLD}
    results["relasi"] = {**evaluate(found, truth), "seconds": seconds}
    queued = {(p.a, p.b) for p in pairs}
    results["review"] = {**evaluate(queued, truth), "seconds": seconds}
    results["comparisons"] = stats.comparisons
    if not quiet:
        report(results)
    return results


def report(results: dict[str, Any]) -> None:
    n = results["n"]
    print(f"Duplicate scan: {n:,} contacts, {results['truth']:,} planted duplicate pairs")
    print(f"{'method':<34} {'precision':>9} {'recall':>7} {'F1':>7} {'pairs':>7} {'time s':>7}")
    for key, label in (
        ("baseline", "baseline (rapidfuzz token_sort≥90)"),
        ("relasi", f"Relasi matcher (≥ {MATCH_THRESHOLD})"),
        ("review", f"Relasi review queue (≥ {SCAN_THRESHOLD})"),
    ):
        if key in results:
            r = results[key]
            print(
                f"{label:<34} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['f1']:>7.4f} "
                f"{r['found']:>7,} {r['seconds']:>7.2f}"
            )
    if "baseline" in results:
        ratio = results["relasi"]["seconds"] / results["baseline"]["seconds"]
        print(f"time ratio Relasi / baseline: {ratio:.2f}×  (≤ 1.00 means no slower)")
    cmp = results["comparisons"]
    print(f"Relasi comparisons: {cmp:,} (all pairs would be {n * (n - 1) // 2:,})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    run(args.n, skip_baseline=args.skip_baseline)
