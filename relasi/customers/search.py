"""Customer search: PostgreSQL trigram (pg_trgm GIN index on `search_text`) or SQLite FTS5 with
the trigram tokenizer — never a scanning `icontains`. Exact matches rank first, then prefixes,
then substrings, then typo-tolerant matches (trigram overlap, re-scored with rapidfuzz)."""

import re
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from relasi.core import search as registry
from relasi.core.access import visible_to
from relasi.customers import phones
from relasi.customers.models import Customer, EmailAddress, PhoneNumber

FTS_TABLE = "customers_search"
CANDIDATES = 200
_WORD = re.compile(r"[\w@.+-]+", re.UNICODE)


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def index_customers(ids: list[int]) -> None:
    if not is_sqlite() or not ids:
        return
    with connection.cursor() as cursor:
        cursor.executemany("DELETE FROM customers_search WHERE rowid = %s", [(i,) for i in ids])
        rows = Customer.objects.filter(pk__in=ids).values_list("pk", "search_text")
        cursor.executemany("INSERT INTO customers_search(rowid, text) VALUES (%s, %s)", list(rows))


def unindex_customers(ids: list[int]) -> None:
    if not is_sqlite() or not ids:
        return
    with connection.cursor() as cursor:
        cursor.executemany("DELETE FROM customers_search WHERE rowid = %s", [(i,) for i in ids])


def rebuild_index() -> int:
    """Rebuild the SQLite FTS table from `search_text` (after bulk loads)."""
    if not is_sqlite():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_search")
        cursor.execute(
            "INSERT INTO customers_search(rowid, text) SELECT id, search_text FROM customers_customer"
        )
        return cursor.rowcount


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _substring_ids(term: str, limit: int) -> list[int]:
    """Customers whose search text contains `term` (index-backed on both databases)."""
    if is_sqlite():
        if len(term) < 3:
            return list(
                Customer.objects.filter(name__istartswith=term).values_list("pk", flat=True)[:limit]
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM customers_search WHERE customers_search MATCH %s LIMIT %s",
                [_fts_phrase(term), limit],
            )
            return [r[0] for r in cursor.fetchall()]
    return list(
        Customer.objects.filter(search_text__contains=term).values_list("pk", flat=True)[:limit]
    )


def _fuzzy_ids(term: str, limit: int) -> list[int]:
    """Typo-tolerant candidates: customers sharing the most trigrams with `term`."""
    if len(term) < 4:
        return []
    if is_sqlite():
        grams = sorted({term[i : i + 3] for i in range(len(term) - 2)})
        query = " OR ".join(_fts_phrase(g) for g in grams)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM customers_search WHERE customers_search MATCH %s ORDER BY rank LIMIT %s",
                [query, limit],
            )
            return [r[0] for r in cursor.fetchall()]
    with connection.cursor() as cursor:
        # word_similarity: the best-matching word span of the long search text (GIN-indexed <%).
        cursor.execute(
            "SELECT id FROM customers_customer WHERE %s <%% search_text "
            "ORDER BY word_similarity(%s, search_text) DESC LIMIT %s",
            [term, term, limit],
        )
        return [r[0] for r in cursor.fetchall()]


def search_customers(user: Any, query: str, limit: int = 20) -> list[Customer]:
    term = " ".join(_WORD.findall(query.lower()))[:100].strip()
    if len(term) < 2:
        return []
    exact_ids: list[int] = []
    if e164 := phones.search_key(term):
        exact_ids += list(
            PhoneNumber.objects.filter(number=e164).values_list("customer_id", flat=True)[:limit]
        )
    if "@" in term:
        exact_ids += list(
            EmailAddress.objects.filter(email=term).values_list("customer_id", flat=True)[:limit]
        )
    search_term = e164.lstrip("+") if e164 else term
    ids = exact_ids + _substring_ids(search_term, CANDIDATES)
    if not ids:  # nothing contains the term: fall back to typo-tolerant matching
        ids = _fuzzy_ids(term, CANDIDATES)
    if not ids:
        return []
    found = {c.pk: c for c in visible_to(user, Customer.objects.filter(pk__in=set(ids)))}
    exact = set(exact_ids)

    def rank(c: Customer) -> tuple[int, float]:
        name = c.name.lower()
        if c.pk in exact or name == term:
            tier = 0
        elif name.startswith(term) or any(w.startswith(term) for w in name.split()):
            tier = 1
        elif term in c.search_text:
            tier = 2
        else:
            tier = 3
        return tier, -fuzz.WRatio(term, name)

    ranked = sorted(found.values(), key=rank)
    return [c for c in ranked if rank(c)[0] < 3 or -rank(c)[1] >= 60][:limit]


@registry.register
def provider(user: Any, query: str, limit: int) -> list[registry.SearchResult]:
    if not user.has_module_perm("customers", "view"):
        return []
    results = []
    for c in search_customers(user, query, limit):
        subtitle = " · ".join(
            p
            for p in (
                c.primary_email,
                phones.display(c.primary_phone) if c.primary_phone else "",
                c.city,
            )
            if p
        )
        results.append(
            registry.SearchResult(
                group=str(_("People") if c.is_person else _("Organisations")),
                title=c.name,
                url=c.get_absolute_url(),
                subtitle=subtitle,
                flag=str(_("Blacklisted")) if c.is_blacklisted else "",
            )
        )
    return results


def visible_search(user: Any, query: str, queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Restrict a list queryset to search matches (used by list filters and the API `q`)."""
    ids = [c.pk for c in search_customers(user, query, limit=CANDIDATES)]
    return queryset.filter(pk__in=ids)
