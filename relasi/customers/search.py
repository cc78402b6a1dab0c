"""Customer search: PostgreSQL trigram (pg_trgm GIN index on `search_text`) or SQLite FTS5 with
the trigram tokenizer — never a scanning `icontains`. Exact matches rank first, then prefixes,
then substrings, then typo-tolerant matches (trigram overlap, re-scored with rapidfuzz)."""

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from relasi.core import crypto
from relasi.core import search as registry
from relasi.core.access import visibility_q, visible_to
from relasi.customers import phones
from relasi.customers.models import Customer, EmailAddress, PhoneNumber
from relasi.customers.validators import digits_only

FTS_TABLE = "customers_search"
CANDIDATES = 100
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


def _fuzzy_query(term: str) -> str:
    grams = sorted({term[i : i + 3] for i in range(len(term) - 2)})
    return " OR ".join(_fts_phrase(g) for g in grams)


HIT_FIELDS = (
    "id",
    "kind",
    "name",
    "primary_email",
    "primary_phone",
    "city",
    "is_blacklisted",
    "search_text",
)
# Constant SQL (no user text is ever formatted in; the search term is always a bound parameter).
_COLS = ", ".join(f"c.{f}" for f in HIT_FIELDS)
_FTS_JOIN = "FROM customers_search s JOIN customers_customer c ON c.id = s.rowid WHERE customers_search MATCH %s"
SQL_FTS_ROWS = f"SELECT {_COLS} {_FTS_JOIN} LIMIT %s"
SQL_FTS_ROWS_RANKED = f"SELECT {_COLS} {_FTS_JOIN} ORDER BY s.rank LIMIT %s"
SQL_FTS_IDS = "SELECT rowid FROM customers_search WHERE customers_search MATCH %s LIMIT 5000"
SQL_FTS_IDS_RANKED = (
    "SELECT rowid FROM customers_search WHERE customers_search MATCH %s ORDER BY rank LIMIT 5000"
)
SQL_PG_ROWS = f"SELECT {_COLS} FROM customers_customer c WHERE c.search_text LIKE %s LIMIT %s"  # noqa: S608
SQL_PG_FUZZY_IDS = (
    "SELECT id FROM customers_customer WHERE %s <%% search_text "
    "ORDER BY word_similarity(%s, search_text) DESC LIMIT 5000"
)


def _raw_rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(HIT_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _candidates(user: Any, term: str, fuzzy: bool) -> list[dict[str, Any]]:
    """Up to CANDIDATES customers matching `term`, within the user's visibility.

    Users who see everything get one indexed query with its own LIMIT (as cheap as the raw index
    query); others get the visibility filter inside the same query, so invisible matches never
    crowd out visible ones."""
    if fuzzy and len(term) < 4:
        return []
    sees_all = visibility_q(user, Customer) is None
    if is_sqlite():
        if not fuzzy and len(term) < 3:
            qs = Customer.objects.filter(name__istartswith=term)
            return list(visible_to(user, qs).values(*HIT_FIELDS)[:CANDIDATES])
        match = _fuzzy_query(term) if fuzzy else _fts_phrase(term)
        if sees_all:
            return _raw_rows(SQL_FTS_ROWS_RANKED if fuzzy else SQL_FTS_ROWS, [match, CANDIDATES])
        ids_sql = SQL_FTS_IDS_RANKED if fuzzy else SQL_FTS_IDS
        qs = Customer.objects.filter(pk__in=RawSQL(ids_sql, [match]))  # noqa: S611
    elif fuzzy:
        qs = Customer.objects.filter(pk__in=RawSQL(SQL_PG_FUZZY_IDS, [term, term]))  # noqa: S611
    elif sees_all:
        return _raw_rows(SQL_PG_ROWS, [_like_pattern(term), CANDIDATES])
    else:
        qs = Customer.objects.filter(search_text__contains=term)
    return list(visible_to(user, qs).values(*HIT_FIELDS)[:CANDIDATES])


@dataclass
class Hit:
    """A search result: the few columns a result list needs, and its rank."""

    id: int
    kind: str
    name: str
    primary_email: str
    primary_phone: str
    city: str
    is_blacklisted: bool
    tier: int = 3
    score: float = 0.0

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    def get_absolute_url(self) -> str:
        name = "customers:person_detail" if self.is_person else "customers:organization_detail"
        return reverse(name, args=[self.id])


def search_customers(user: Any, query: str, limit: int = 20) -> list[Hit]:
    """Visible customers matching `query`: exact matches first, then prefixes, substrings and
    (only when nothing contains the term) typo-tolerant matches."""
    term = " ".join(_WORD.findall(query.lower()))[:100].strip()
    if len(term) < 2:
        return []
    exact_ids: set[int] = set()
    e164 = phones.search_key(term)
    if e164:
        exact_ids.update(
            PhoneNumber.objects.filter(number=e164).values_list("customer_id", flat=True)[:limit]
        )
    nik = digits_only(term)
    if len(nik) == 16 and nik.isdigit() and crypto.may_reveal(user):
        # An exact NIK through its blind index (never in search_text); only for users who may
        # see NIKs, or the search would confirm whose NIK a number is.
        exact_ids.update(
            Customer.objects.filter(crypto.lookup_q(Customer, "national_id", nik)).values_list(
                "pk", flat=True
            )[:limit]
        )
    if "@" in term:
        exact_ids.update(
            EmailAddress.objects.filter(email=term).values_list("customer_id", flat=True)[:limit]
        )
    rows = _candidates(user, e164.lstrip("+") if e164 else term, fuzzy=False)
    if not rows and not exact_ids:  # nothing contains the term: fall back to typo-tolerant matching
        rows = _candidates(user, term, fuzzy=True)
    missing = exact_ids - {r["id"] for r in rows}
    if missing:
        rows += list(visible_to(user, Customer.objects.filter(pk__in=missing)).values(*HIT_FIELDS))
    ranked: list[tuple[int, float, str, dict[str, Any]]] = []
    for row in rows:
        name = row["name"].lower()
        if row["id"] in exact_ids or name == term:
            ranked.append((0, 0.0, name, row))
        elif name.startswith(term) or f" {term}" in name:
            ranked.append((1, 0.0, name, row))
        elif term in row["search_text"]:
            ranked.append((2, 0.0, name, row))
        else:  # only typo-tolerant candidates need a similarity score
            score = fuzz.WRatio(term, name)
            if score >= 60:
                ranked.append((3, -score, name, row))
    ranked.sort(key=lambda r: r[:3])
    hits = []
    for tier, score, _name, row in ranked[:limit]:
        row.pop("search_text")
        hits.append(Hit(**row, tier=tier, score=-score))
    return hits


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
    ids = [h.id for h in search_customers(user, query, limit=CANDIDATES)]
    return queryset.filter(pk__in=ids)
