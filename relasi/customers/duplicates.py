"""Duplicate detection: normalise names, e-mails and phones the way Indonesians write them,
propose candidate pairs by blocking (never all pairs), score them with rapidfuzz and explain
the score with reasons.

Used by the review-queue scan (`find_pairs`), by the importer (`Matcher.best_match`) and by
the "did you mean …" step when a customer is created (`likely_duplicates`).

Why the score needs a contact identifier: with Indonesian naming, thousands of different people
share a name ("Budi Santoso"), so a name alone can never score above `NAME_ONLY_MAX`; a shared
phone or e-mail (after normalisation) plus a similar name is what makes a duplicate.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

# Scores at or above this are "the same customer" (importer, bulk merge default).
MATCH_THRESHOLD = 0.8
# The whole-database scan stores pairs at or above this for review.
SCAN_THRESHOLD = 0.7
# "Did you mean …" shows candidates at or above this (name-only look-alikes included).
SUGGEST_THRESHOLD = 0.55
# The highest score a pair can reach without a shared phone or e-mail (see `_score`).
NAME_ONLY_MAX = 0.65
# Blocks larger than this are skipped: a key shared by that many records is not a key.
MAX_BLOCK = 200
# A pair whose names differ in a way the rules cannot explain (a short or unusual name part
# that may be misspelt) but that shares an exact e-mail or phone is stored for review between
# SCAN_THRESHOLD and this, never high enough to be merged without a person looking at it.
REVIEW_MAX = 0.75
# `_token_sim` of two different common names (Dewi/Dedi): below every "could be a typo" score.
DIFFERENT_NAMES = 0.4
# A name part aligned at less than this is another name (family members), not a misspelling.
DIFFERENT_PART = 0.5

# --- name normalisation ---------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_REPEAT = re.compile(r"(.)\1+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Honorifics, titles and degrees that are not part of the name.
_TITLES = _words(
    "bapak pak bpk ibu bu sdr sdri saudara saudari tn ny nn nona tuan nyonya dr drs dra ir "
    "h hj haji hajjah prof se sh sked skom spd sst mm mt msi mba mbak mas kak "
    "amd amk ssi ssos sip sik mkom mpd"
)
# Legal forms of organisations.
_ORG_FORMS = _words("pt cv ud tbk persero perum fa firma pd ltd inc co corp")

# Spelling variants and nicknames → one canonical token. Old spelling (oe, dj, tj, ch …) is
# handled by `_modern_spelling` first, so only the remaining differences are listed here.
_VARIANT_GROUPS = [
    "muhammad muhamad mohammad mohamad mohamed muhammed mokhammad mokhamad muhamat moh muh mhd "
    "mhmd md m",
    "ahmad akhmad ahmat akhmat achmad",
    "abdul abd abdoel",
    "siti sity st",
    "nur noor nurr",
    "yusuf yusup yusof yoesoef jusuf joseph yosef yusuff",
    "dewi dwi",
    "sri sry",
    "agus agoes agust",
    "budi boedi",
    "putri putry puteri poetri",
    "teguh tegoeh",
    "wahyu wahyoe wahju wahyoo",
    "rizky rizki riski rizqi rizqy risky rizkiy",
    "fajar fadjar fajr",
    "eko ekho",
    "rahmat rakhmat rachmat rahmad",
    "rahman rakhman rachman",
    "hidayat hidajat",
    "slamet selamet",
    "setiawan setyawan",
    "prasetyo prasetio prasetya",
    "yohanes johanes yohannes johannes",
    "yohana johana yohanna johanna",
    "yuliana juliana",
    "stefanus stephanus",
    "michael mikael michel",
    "kevin kefin",
    "arief arif",
    "taufik taufiq topik",
    "syahputra saputra",
    "wijaya wiyaya",
    "effendi efendi effendy efendy",
    "hendra hendro",
    "dodi dody dodie",
    "dedi dedy dedie",
    "rudi rudy",
    "andi andy",
    "iwan irwan",
    "hadi hady",
]
_VARIANT: dict[str, str] = {}
for _group in _VARIANT_GROUPS:
    _canon, *_others = _group.split()
    for _word in [_canon, *_others]:
        _VARIANT.setdefault(_word, _canon)


def _fold(text: str) -> str:
    """Lower-case ASCII with punctuation turned into spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def _modern_spelling(token: str) -> str:
    """Ejaan lama → EYD: oe→u, dj→j, tj→c, nj→ny, sj→sy, ch→kh and (in old-spelling words) j→y."""
    if any(old in token for old in ("oe", "dj", "tj", "nj", "sj")):
        token = token.replace("dj", "\0").replace("tj", "c").replace("nj", "ny")
        token = token.replace("sj", "sy").replace("j", "y").replace("\0", "j")
        token = token.replace("oe", "u")
    return token.replace("ch", "kh")


@lru_cache(maxsize=65536)
def canonical_token(token: str) -> str:
    modern = _modern_spelling(token)
    return _VARIANT.get(token) or _VARIANT.get(modern) or modern


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """A small Indonesian-friendly sound key: kh/k, sy/s, f/v/p(h), z/s, q/k, y/i, no h after
    the first letter, no doubled letters."""
    t = token.replace("kh", "k").replace("sy", "s").replace("ph", "f").replace("dz", "s")
    t = t.replace("v", "f").replace("z", "s").replace("q", "k").replace("x", "ks")
    t = t[:1] + t[1:].replace("h", "").replace("y", "i")
    return _REPEAT.sub(r"\1", t)


def name_words(name: str, *, organization: bool = False) -> tuple[str, ...]:
    """Folded name words without titles or legal forms."""
    words = _fold(name).split()
    drop = _ORG_FORMS if organization else _TITLES
    return tuple(w for w in words if w not in drop) or tuple(words)


def name_tokens(name: str, *, organization: bool = False) -> tuple[str, ...]:
    """Canonical name tokens: folded, without titles or legal forms, spelling normalised."""
    return tuple(canonical_token(w) for w in name_words(name, organization=organization))


# --- e-mail and phone normalisation ---------------------------------------------------------

_GMAIL = {"gmail.com", "googlemail.com"}


def email_key(email: str) -> str:
    """Case-, dot- and +tag-insensitive form: "Budi.Santoso+shop@GMail.com" → budisantoso@gmail.com."""
    email = (email or "").strip().lower()
    if "@" not in email:
        return ""
    local, _sep, domain = email.rpartition("@")
    local = local.split("+", 1)[0].replace(".", "")
    if domain in _GMAIL:
        domain = "gmail.com"
    return f"{local}@{domain}" if local and domain else ""


def phone_key(phone: str) -> str:
    """The last 9 digits of a phone in any format (+62 812-…, 0812…, 62812…); '' if too short."""
    digits = "".join(c for c in str(phone or "") if c.isdigit())
    return digits[-9:] if len(digits) >= 8 else ""


# --- records, pairs, scoring ----------------------------------------------------------------


@dataclass(slots=True)
class Entry:
    """One record, normalised for matching."""

    id: int
    tokens: tuple[str, ...]
    raw: tuple[str, ...]
    emails: frozenset[str]
    locals: frozenset[str]
    phones: frozenset[str]
    city: str
    kind: str = "person"


@dataclass(slots=True)
class Pair:
    """A candidate pair (a < b) with its score in 0–1 and the reasons for it."""

    a: int
    b: int
    score: float
    reasons: list[str] = field(default_factory=list)


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v]


def make_entry(record: dict[str, Any], id: int = 0) -> Entry:
    """Normalise a record dict (name/first_name/last_name/emails/phones/city, optional id, kind)."""
    kind = record.get("kind") or "person"
    name = record.get("name") or " ".join(
        p for p in (record.get("first_name"), record.get("last_name")) if p
    )
    words = name_words(name, organization=kind == "organization")
    emails = {email_key(e) for e in _as_list(record.get("emails") or record.get("email"))}
    emails.discard("")
    phones = {phone_key(p) for p in _as_list(record.get("phones") or record.get("phone"))}
    phones.discard("")
    return Entry(
        id=int(record.get("id") or id),
        tokens=tuple(canonical_token(w) for w in words),
        raw=words,
        emails=frozenset(emails),
        locals=frozenset(e.split("@", 1)[0] for e in emails),
        phones=frozenset(phones),
        city=_fold(record.get("city") or ""),
        kind=kind,
    )


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    """Common Indonesian given names and surnames: two different names from this list are two
    names (Dewi/Dedi, Yohanes/Yohana, Sri/Sari), not a typo — unless the variant table says so."""
    from relasi.customers import demo_data

    words = " ".join([*demo_data.FIRST_F, *demo_data.FIRST_M, *demo_data.LAST, *_VARIANT])
    return frozenset(canonical_token(w) for w in _fold(words).split())


@lru_cache(maxsize=262144)
def _token_sim(x: str, y: str) -> float:
    """How alike two canonical name parts are. Typos (one edit, or two in a long word) score
    high; different names that merely look alike (Irfan/Intan, Budi/Rudi) score low, because
    family members share a phone and a surname but not a given name."""
    if x == y:
        return 1.0
    if len(x) == 1 or len(y) == 1:  # an initial: "B." ~ "Budi"
        return 0.85 if x[0] == y[0] else 0.0
    if phonetic(x) == phonetic(y):
        return 0.95
    known = _known_names()
    if x in known and y in known:
        return DIFFERENT_NAMES
    if x[0] != y[0]:
        return 0.5 * JaroWinkler.normalized_similarity(x, y)
    edits = OSA.distance(x, y)
    longest = max(len(x), len(y))
    # One edit in a longer word, or two swapped letters even in a short one (Auy ~ Ayu).
    if edits == 1 and (longest >= 4 or Levenshtein.distance(x, y) == 2):
        return 0.9
    if edits == 2 and longest >= 7:
        return 0.8
    return min(0.7, JaroWinkler.normalized_similarity(x, y))


def name_similarity(x: Entry, y: Entry) -> tuple[float, float]:
    """(similarity 0–1, weakest aligned part) — order-independent: each part of the shorter
    name is aligned with its best unused part of the longer one, comparing both the canonical
    spelling and the spelling as written (a typo in a variant: "Saputera" ~ "Saputra")."""
    if not x.tokens or not y.tokens:
        return 0.0, 0.0
    short, long_ = (x, y) if len(x.tokens) <= len(y.tokens) else (y, x)
    free = list(range(len(long_.tokens)))
    sims: list[float] = []
    rest = []
    # Identical parts first, so a greedy look-alike never takes the part that is really the
    # same ("Sri Simanjuntak" ~ "Reza Slamet Simanjuntak": Sri must not pair with Simanjuntak).
    for tok, raw in zip(short.tokens, short.raw, strict=True):
        same = next((i for i in free if long_.tokens[i] == tok), -1)
        if same >= 0:
            sims.append(1.0)
            free.remove(same)
        else:
            rest.append((tok, raw))
    for tok, raw in rest:
        best, best_i = 0.0, -1
        for i in free:
            s = _token_sim(tok, long_.tokens[i])
            if s < 1.0 and raw != long_.raw[i]:
                s = max(s, _token_sim(raw, long_.raw[i]))
            if s > best:
                best, best_i = s, i
        sims.append(best)
        if best_i >= 0:
            free.remove(best_i)
    sim = sum(sims) / len(sims) - min(0.1, 0.05 * len(free))
    weakest = min(sims)
    if len(x.tokens) != len(y.tokens):  # "Nur Hayati" ~ "Nurhayati"
        joined = Levenshtein.normalized_similarity("".join(x.tokens), "".join(y.tokens))
        if joined >= 0.9 and joined > sim:
            sim, weakest = joined, joined
    return max(0.0, sim), weakest


def _variant_note(x: Entry, y: Entry) -> str:
    """ "Mohammad ~ Muhammad" for name parts written differently but recognised as the same."""
    notes = []
    for tok in set(x.tokens) & set(y.tokens):
        xs = {r for r in x.raw if canonical_token(r) == tok}
        ys = {r for r in y.raw if canonical_token(r) == tok}
        if xs and ys and xs.isdisjoint(ys):
            notes.append(f"{min(xs).title()} ~ {min(ys).title()}")
    return ", ".join(sorted(notes))


def score_entries(x: Entry, y: Entry) -> tuple[float, list[str]]:
    """The duplicate score of two normalised records and its reasons."""
    if x.kind != y.kind:
        return 0.0, []
    reasons: list[str] = []
    sim, weakest = name_similarity(x, y)
    note = _variant_note(x, y) if x.raw != y.raw else ""
    if sim >= 0.999 and x.raw == y.raw:
        reasons.append(_("same name"))
    elif sim >= 0.999 and not note:
        reasons.append(_("same name in another order"))
    elif sim > 0:
        text = _("name %(pct)d%% similar") % {"pct": round(sim * 100)}
        reasons.append(f"{text} ({note})" if note else text)
    score = 0.6 * sim
    if x.emails & y.emails:
        score += 0.35
        reasons.append(_("same e-mail (ignoring case, dots and +tags)"))
    elif x.locals & y.locals:
        score += 0.15
        reasons.append(_("same e-mail name at another domain"))
    if x.phones & y.phones:
        score += 0.3
        reasons.append(_("same phone"))
    if x.city and x.city == y.city:
        score += 0.05
        reasons.append(_("same city"))
    exact = bool(x.emails & y.emails or x.phones & y.phones)
    if weakest < DIFFERENT_PART:
        # Another name, not a typo (family members sharing a phone or address).
        score = min(score, 0.6)
        reasons.append(_("a name part differs"))
    elif weakest < 0.75 or sim < 0.8:
        # Names too unlike for a match but not another name: an exact e-mail or phone weighs
        # enough on its own for a person to review the pair, never to merge it unseen.
        if exact:
            score = min(max(score, SCAN_THRESHOLD), REVIEW_MAX)
        else:
            score = min(score, 0.6 if weakest < 0.75 else NAME_ONLY_MAX)
        if weakest < 0.75:
            reasons.append(_("a name part may be misspelt"))
    return round(min(score, 1.0), 4), reasons


# --- blocking -------------------------------------------------------------------------------


def _name_keys(e: Entry) -> Iterator[str]:
    if not e.tokens:
        return
    sounds = sorted(phonetic(t) for t in e.tokens)
    yield "n:" + " ".join(sounds)
    if len(sounds) >= 2:  # typo-tolerant: the first letters of the two longest parts
        longest = sorted(sounds, key=len, reverse=True)[:2]
        yield "p:" + "|".join(sorted(s[:3] for s in longest))


def block_keys(e: Entry, *, names: bool = True) -> Iterator[str]:
    for p in e.phones:
        yield "t:" + p
    for m in e.emails:
        yield "e:" + m
    for local in e.locals:
        if len(local) >= 5:
            yield "l:" + local
    if names:
        yield from _name_keys(e)


@dataclass
class Stats:
    """What a scan did: records, blocks and comparisons (blocking keeps this far below n²)."""

    records: int = 0
    blocks: int = 0
    comparisons: int = 0
    skipped_blocks: int = 0


class Matcher:
    """Existing customers, normalised once, with a blocking index for fast look-ups."""

    def __init__(self, records: Iterable[dict[str, Any]] = ()) -> None:
        self.entries: dict[int, Entry] = {}
        self.index: dict[str, list[int]] = defaultdict(list)
        for record in records:
            self.add(record)

    def add(self, record: dict[str, Any] | Entry) -> Entry:
        entry = record if isinstance(record, Entry) else make_entry(record)
        self.entries[entry.id] = entry
        for key in block_keys(entry):
            self.index[key].append(entry.id)
        return entry

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def from_database(cls, queryset: QuerySet | None = None) -> "Matcher":
        return cls(load_records(queryset))

    def matches(
        self, record: dict[str, Any], *, min_score: float = SUGGEST_THRESHOLD, limit: int = 5
    ) -> list[tuple[int, float, list[str]]]:
        """The best-scoring existing records for `record`, best first."""
        probe = make_entry(record)
        seen: set[int] = set()
        found: list[tuple[int, float, list[str]]] = []
        for key in block_keys(probe):
            ids = self.index.get(key, ())
            if len(ids) > MAX_BLOCK and not key.startswith(("t:", "e:")):
                continue
            for other_id in ids:
                if other_id in seen or other_id == probe.id:
                    continue
                seen.add(other_id)
                score, reasons = score_entries(probe, self.entries[other_id])
                if score >= min_score:
                    found.append((other_id, score, reasons))
        found.sort(key=lambda m: (-m[1], m[0]))
        return found[:limit]

    def best_match(
        self, record: dict[str, Any], *, min_score: float = MATCH_THRESHOLD
    ) -> tuple[int, float, list[str]] | None:
        """(customer id, score, reasons) of the most likely existing duplicate, or None."""
        found = self.matches(record, min_score=min_score, limit=1)
        return found[0] if found else None

    def find_pairs(
        self, *, min_score: float = SCAN_THRESHOLD, stats: Stats | None = None
    ) -> list[Pair]:
        return _pairs(list(self.entries.values()), min_score, stats)


def find_pairs(
    records: Iterable[dict[str, Any] | Entry],
    *,
    min_score: float = SCAN_THRESHOLD,
    stats: Stats | None = None,
) -> list[Pair]:
    """Every candidate pair among `records` scoring at least `min_score`, best first."""
    entries = [r if isinstance(r, Entry) else make_entry(r) for r in records]
    return _pairs(entries, min_score, stats)


def _pairs(
    entries: list[Entry],
    min_score: float,
    stats: Stats | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    stats = stats if stats is not None else Stats()
    stats.records = len(entries)
    # Name-only pairs cannot reach a threshold above NAME_ONLY_MAX, so name blocks are only
    # built when such pairs are wanted (they are the large blocks).
    use_names = min_score <= NAME_ONLY_MAX
    blocks: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for key in block_keys(e, names=use_names):
            blocks[key].append(e)
    done: set[tuple[int, int]] = set()
    pairs: list[Pair] = []
    for n, members in enumerate(blocks.values(), 1):
        if progress is not None and n % 5000 == 0:
            progress(n, len(blocks))
        if len(members) < 2:
            continue
        if len(members) > MAX_BLOCK:
            stats.skipped_blocks += 1
            continue
        stats.blocks += 1
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                ids = (x.id, y.id) if x.id < y.id else (y.id, x.id)
                if ids in done or x.id == y.id:
                    continue
                done.add(ids)
                stats.comparisons += 1
                score, reasons = score_entries(x, y)
                if score >= min_score:
                    pairs.append(Pair(ids[0], ids[1], score, reasons))
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    if progress is not None:
        progress(len(blocks), len(blocks))
    return pairs


# --- database access ------------------------------------------------------------------------


def load_records(queryset: QuerySet | None = None) -> list[dict[str, Any]]:
    """Customers as matcher records, in three bulk queries (no ORM object per row)."""
    from relasi.customers.models import Customer, EmailAddress, PhoneNumber

    qs = queryset if queryset is not None else Customer.objects.all()
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.order_by().values(
            "id", "kind", "name", "city", "primary_email", "primary_phone"
        )
    ]
    by_id: dict[int, dict[str, Any]] = {}
    for row in rows:
        email, phone = row.pop("primary_email"), row.pop("primary_phone")
        row["emails"] = [email] if email else []
        row["phones"] = [phone] if phone else []
        by_id[row["id"]] = row
    scope = {} if queryset is None else {"customer__in": qs.order_by().values("id")}
    for cid, email in EmailAddress.objects.filter(**scope).values_list("customer_id", "email"):
        if cid in by_id:
            by_id[cid]["emails"].append(email)
    valid = PhoneNumber.objects.filter(is_valid=True, **scope)  # flagged numbers match nothing
    for cid, number in valid.values_list("customer_id", "number"):
        if cid in by_id:
            by_id[cid]["phones"].append(number)
    return rows


def _candidate_q(entry: Entry, emails: list[str], phones: list[str]) -> Q:
    """Index-backed filter for customers that might match (exact e-mail, phone suffix, name)."""
    q = Q(pk__in=[])
    for email in emails:
        q |= Q(emails__email__iexact=email.strip()) | Q(primary_email__iexact=email.strip())
    for key in entry.phones:
        q |= Q(phones__number__endswith=key) | Q(primary_phone__endswith=key)
    longest = sorted(entry.tokens, key=len, reverse=True)[:2]
    for token in longest:
        if len(token) >= 3:
            q |= Q(name__istartswith=token[:3]) | Q(name__icontains=" " + token[:3])
    return q


def likely_duplicates(
    user: Any,
    data: dict[str, Any],
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    *,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """Existing customers the user can see that `data` probably duplicates ("did you mean …").

    Returns dicts {customer, score, reasons}, best first."""
    from relasi.core.access import visible_to
    from relasi.customers.models import Customer

    emails, phones = [e for e in emails if e], [p for p in phones if p]
    record = {**data, "emails": emails, "phones": phones}
    probe = make_entry(record)
    if not probe.tokens and not probe.emails and not probe.phones:
        return []
    qs = visible_to(user, Customer.objects.filter(kind=probe.kind))
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    ids = list(qs.filter(_candidate_q(probe, emails, phones)).values_list("pk", flat=True)[:500])
    if not ids:
        return []
    matcher = Matcher.from_database(Customer.objects.filter(pk__in=set(ids)))
    found = matcher.matches(record, min_score=SUGGEST_THRESHOLD, limit=limit)
    customers = Customer.objects.in_bulk([m[0] for m in found])
    return [
        {"customer": customers[cid], "score": score, "reasons": reasons}
        for cid, score, reasons in found
        if cid in customers
    ]


def scan_database(job: Any, *, min_score: float = SCAN_THRESHOLD) -> dict[str, int]:
    """Scan every customer, store new candidate pairs for review and refresh open ones.
    Dismissed and merged pairs are left alone, so a dismissed pair is never proposed again."""
    from django.db import transaction
    from django.utils import timezone

    from relasi.core import jobs
    from relasi.customers.models import DuplicateCandidate, DuplicateStatus

    jobs.progress(job, 0, 100, _("Loading customers"))
    entries = [make_entry(r) for r in load_records()]
    stats = Stats()

    def report(done: int, total: int) -> None:
        jobs.progress(job, 10 + int(80 * done / max(total, 1)), 100, _("Comparing"))

    pairs = _pairs(entries, min_score, stats, report)
    existing = {
        (a, b): (pk, status)
        for pk, a, b, status in DuplicateCandidate.objects.values_list(
            "pk", "customer_a_id", "customer_b_id", "status"
        )
    }
    now = timezone.now()
    new, refreshed = [], 0
    found = set()
    with transaction.atomic():
        for p in pairs:
            found.add((p.a, p.b))
            known = existing.get((p.a, p.b))
            if known is None:
                new.append(
                    DuplicateCandidate(
                        customer_a_id=p.a,
                        customer_b_id=p.b,
                        score=p.score,
                        reasons=p.reasons,
                        found_at=now,
                        job_id=job.pk,
                    )
                )
            elif known[1] == DuplicateStatus.OPEN:
                DuplicateCandidate.objects.filter(pk=known[0]).update(
                    score=p.score, reasons=p.reasons, job_id=job.pk
                )
                refreshed += 1
        DuplicateCandidate.objects.bulk_create(new, batch_size=1000)
        stale = [
            pk
            for key, (pk, status) in existing.items()
            if status == DuplicateStatus.OPEN and key not in found
        ]
        DuplicateCandidate.objects.filter(pk__in=stale).delete()
    result = {
        "customers": stats.records,
        "comparisons": stats.comparisons,
        "new": len(new),
        "refreshed": refreshed,
        "removed": len(stale),
    }
    job.result = result
    jobs.progress(job, 100, 100, _("%(new)d new pairs") % {"new": len(new)})
    return result
