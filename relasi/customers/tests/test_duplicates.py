"""The matcher: every variant class it must catch, the look-alikes it must not, and blocking."""

import random

import pytest

from relasi.customers.duplicates import (
    MATCH_THRESHOLD,
    REVIEW_MAX,
    SCAN_THRESHOLD,
    Matcher,
    Stats,
    email_key,
    find_pairs,
    make_entry,
    name_tokens,
    phone_key,
    score_entries,
)

PHONE = ["+6281234567890"]


def score(a: dict, b: dict) -> float:
    return score_entries(make_entry(a), make_entry(b))[0]


def reasons(a: dict, b: dict) -> list[str]:
    return score_entries(make_entry(a), make_entry(b))[1]


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ("Muhammad Rizky", "Mohamad Rizki"),
        ("Muhammad Yusuf", "M. Yusup"),
        ("Muhammad Fajar", "Moh. Fadjar"),
        ("Siti Nurhaliza", "Sity Nurhaliza"),
        ("Nur Hidayat", "Noor Hidajat"),
        ("Yusuf Santoso", "Joseph Santoso"),
        ("Dewi Lestari", "Dwi Lestari"),
        ("Sri Wahyuni", "Sry Wahyuni"),
        ("Agus Salim", "Agoes Salim"),
        ("Budi Santoso", "Boedi Santoso"),
        ("Ahmad Fauzi", "Achmad Fauzi"),
        ("Ahmad Fauzi", "Akhmad Fauzi"),
        ("Putri Ayu", "Putry Ayu"),
        ("Teguh Wibowo", "Tegoeh Wibowo"),
        ("Wahyu Nugroho", "Wahyoe Nugroho"),
        ("Rizky Pratama", "Riski Pratama"),
        ("Eko Purnomo", "Echo Purnomo"),
        ("Hendra Tjahjadi", "Hendra Cahyadi"),
        ("Bambang Widjaja", "Bambang Wijaya"),
        ("Budi Santoso", "Santoso Budi"),  # reordered
        ("Budi Santoso", "Budi Santsoo"),  # transposition
        ("Budi Santoso", "Budi Santosi"),  # typo
        ("Kartika Simanjuntak", "Kartika Simanjutak"),  # dropped letter
        ("Budi Santoso", "Bapak Budi Santoso"),  # title
        ("Nur Hayati", "Nurhayati"),  # joined
    ],
)
def test_variants_with_a_shared_phone_match(x, y):
    a = {"name": x, "phones": PHONE}
    b = {"name": y, "phones": ["0812-3456-7890"]}
    assert score(a, b) >= MATCH_THRESHOLD, reasons(a, b)


def test_email_case_dots_and_tags():
    assert email_key("Budi.Santoso+toko@GoogleMail.com") == "budisantoso@gmail.com"
    a = {"name": "Budi Santoso", "emails": ["budi.santoso@gmail.com"]}
    b = {"name": "Budi Santoso", "emails": ["BudiSantoso+promo@GMAIL.com"]}
    assert score(a, b) >= MATCH_THRESHOLD
    assert any("e-mail" in r for r in reasons(a, b))


@pytest.mark.parametrize(
    "raw", ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "812 3456 7890"]
)
def test_phone_formats(raw):
    assert phone_key(raw) == phone_key("+6281234567890") == "234567890"


def test_same_person_different_address_still_matches():
    a = {"name": "Dewi Kusuma", "phones": PHONE, "city": "Bandung"}
    b = {"name": "Dewi Kusuma", "phones": PHONE, "city": "Surabaya"}
    assert score(a, b) >= MATCH_THRESHOLD


def test_reason_explains_variant():
    a = {"name": "Mohammad Rizky", "phones": PHONE}
    b = {"name": "Muhammad Rizky", "phones": PHONE}
    assert any("Mohammad ~ Muhammad" in r for r in reasons(a, b)), reasons(a, b)


def test_look_alike_names_with_different_phones_score_low():
    a = {"name": "Budi Santoso", "phones": PHONE, "city": "Jakarta"}
    b = {"name": "Budi Susanto", "phones": ["+6281399990000"], "city": "Jakarta"}
    assert score(a, b) < 0.6


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ("Budi Santoso", "Siti Santoso"),
        ("Dewi Kusuma", "Dedi Kusuma"),
        ("Irfan Suryadi", "Intan Suryadi"),
        ("Yohanes Panjaitan", "Yohana Panjaitan"),
        ("Sri Ramadhan", "Sari Ramadhan"),
    ],
)
def test_family_at_the_same_address_is_not_a_duplicate(x, y):
    a = {"name": x, "phones": PHONE, "city": "Bandung"}
    b = {"name": y, "phones": PHONE, "city": "Bandung"}
    assert score(a, b) < MATCH_THRESHOLD, reasons(a, b)


def test_name_alone_never_reaches_match_threshold():
    assert (
        score({"name": "Budi Santoso", "city": "Bogor"}, {"name": "Budi Santoso", "city": "Bogor"})
        < MATCH_THRESHOLD
    )


def test_organisation_legal_forms_ignored():
    assert name_tokens("PT. Maju Jaya Tbk", organization=True) == ("maju", "jaya")
    a = {"name": "PT Maju Jaya", "kind": "organization", "phones": PHONE}
    b = {"name": "Maju Jaya, CV", "kind": "organization", "phones": PHONE}
    assert score(a, b) >= MATCH_THRESHOLD
    assert score(a, {**b, "kind": "person"}) == 0


def test_blocking_never_compares_all_pairs():
    rng = random.Random(1)
    first = ["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Eko", "Sri"]
    last = ["Santoso", "Wijaya", "Lubis", "Halim", "Pratama"]
    records = [
        {
            "id": i,
            "name": f"{rng.choice(first)} {rng.choice(last)}",
            "phones": [f"+62812{i:08d}"],
            "emails": [f"user{i}@example.test"],
        }
        for i in range(1, 2001)
    ]
    records.append({"id": 5000, "name": "Budi Santosa", "phones": ["0812-0000-0007"]})
    records[6]["name"] = "Budi Santoso"
    stats = Stats()
    pairs = find_pairs(records, stats=stats)
    n = len(records)
    assert stats.comparisons < n * (n - 1) // 2 // 100
    assert [(p.a, p.b) for p in pairs if p.score >= MATCH_THRESHOLD] == [(7, 5000)]


def test_matcher_best_match_for_the_importer():
    matcher = Matcher(
        [
            {"id": 1, "name": "Budi Santoso", "phones": PHONE},
            {"id": 2, "name": "Siti Rahayu", "emails": ["siti@example.test"]},
        ]
    )
    hit = matcher.best_match(
        {"first_name": "Boedi", "last_name": "Santoso", "phones": ["081234567890"]}
    )
    assert hit is not None and hit[0] == 1 and hit[1] >= MATCH_THRESHOLD
    assert matcher.best_match({"name": "Agus Salim", "phones": ["+6281311112222"]}) is None
    matcher.add({"id": 3, "name": "Agus Salim", "phones": ["+6281311112222"]})
    assert matcher.best_match({"name": "Agoes Salim", "phones": ["081311112222"]})[0] == 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("x", "y"),
    [("Auy Lestari", "Ayu Lestari"), ("Eok Prasetyo", "Eko Prasetyo"), ("Auy", "Ayu")],
)
def test_transposed_short_given_name_with_the_same_email_and_phone_matches(x, y):
    a = {"name": x, "emails": ["ayu.lestari@example.test"], "phones": PHONE}
    b = {"name": y, "emails": ["ayu.lestari@example.test"], "phones": ["0812-3456-7890"]}
    assert score(a, b) >= MATCH_THRESHOLD, reasons(a, b)


@pytest.mark.parametrize(
    "shared",
    [
        {"emails": ["ayu@example.test"]},
        {"phones": PHONE},
        {"emails": ["ayu@example.test"], "phones": PHONE},
    ],
)
def test_an_exact_email_or_phone_alone_brings_an_unexplained_name_to_review(shared):
    # "Ayu" / "Ayi": one letter in a three-letter name, not a known other name.
    a, b = {"name": "Ayu", **shared}, {"name": "Ayi", **shared}
    assert SCAN_THRESHOLD <= score(a, b) <= REVIEW_MAX < MATCH_THRESHOLD, reasons(a, b)
    assert score({"name": "Ayu"}, {"name": "Ayi"}) < SCAN_THRESHOLD


def test_identical_parts_are_aligned_first():
    a = {"name": "Reza Slamet Simanjuntak", "phones": PHONE, "city": "Medan"}
    b = {"name": "Sri Simanjuntak", "phones": PHONE, "city": "Medan"}
    assert score(a, b) < SCAN_THRESHOLD, reasons(a, b)
