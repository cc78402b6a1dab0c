"""Ticket and knowledge-base search: SQLite FTS5 (trigram tokenizer) or PostgreSQL pg_trgm on
`search_text`, as relasi.customers.search does — never a scanning `icontains`. The search term
is always a bound parameter; the SQL text is constant."""

import re
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from relasi.core import search as registry
from relasi.core.access import visible_to
from relasi.service.choices import ArticleStatus, ArticleVisibility
from relasi.service.models import Article, ArticleTranslation, Ticket

_WORD = re.compile(r"[\w@.+-]+", re.UNICODE)
NUMBER = re.compile(r"^tkt-\d{4}-\d{1,6}$")
TICKET_PREFIX, TICKET_DIGITS = "TKT", 6  # TKT-2026-000042 (actions.tickets.next_number)
SQL_TICKET_IDS = (
    "SELECT rowid FROM service_ticket_search WHERE service_ticket_search MATCH %s LIMIT 5000"
)
SQL_ARTICLE_IDS = (
    "SELECT rowid FROM service_article_search WHERE service_article_search MATCH %s LIMIT 5000"
)


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def ticket_text(ticket: Ticket) -> str:
    name = ticket.customer.name if ticket.customer_id else ""
    return f"{ticket.number} {ticket.subject} {name} {ticket.description[:1000]}".lower()


def translation_text(tr: ArticleTranslation) -> str:
    return f"{tr.title} {tr.summary} {tr.body}".lower()


def _reindex(table: str, rows: list[tuple[int, str]], ids: list[int]) -> None:
    if not is_sqlite() or not ids:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(i,) for i in ids])  # noqa: S608
        cursor.executemany(f"INSERT INTO {table}(rowid, text) VALUES (%s, %s)", rows)  # noqa: S608


def index_tickets(ids: list[int]) -> None:
    rows = list(Ticket.objects.filter(pk__in=ids).values_list("pk", "search_text"))
    _reindex("service_ticket_search", rows, ids)


def index_translations(ids: list[int]) -> None:
    rows = list(ArticleTranslation.objects.filter(pk__in=ids).values_list("pk", "search_text"))
    _reindex("service_article_search", rows, ids)


def unindex_translations(ids: list[int]) -> None:
    _reindex("service_article_search", [], ids)


def rebuild_index() -> None:
    """Refill the SQLite FTS tables from `search_text` (after bulk loads)."""
    if not is_sqlite():
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM service_ticket_search")
        cursor.execute(
            "INSERT INTO service_ticket_search(rowid, text) SELECT id, search_text FROM service_ticket"
        )
        cursor.execute("DELETE FROM service_article_search")
        cursor.execute(
            "INSERT INTO service_article_search(rowid, text) "
            "SELECT id, search_text FROM service_articletranslation"
        )


def clean_term(query: str) -> str:
    return " ".join(_WORD.findall(query.lower()))[:100].strip()


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _matching(qs: QuerySet, sql: str, term: str, short_field: str) -> QuerySet:
    if is_sqlite():
        if len(term) < 3:  # the trigram index needs three characters
            return qs.filter(**{f"{short_field}__istartswith": term})
        return qs.filter(pk__in=RawSQL(sql, [_phrase(term)]))  # noqa: S611
    return qs.filter(search_text__contains=term)


def filter_tickets(queryset: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """`queryset` narrowed to tickets matching `query` (number, subject, customer, text)."""
    term = clean_term(query)
    if not term:
        return queryset
    spellings = registry.number_spellings(query, TICKET_PREFIX, TICKET_DIGITS)
    if NUMBER.match(term) or len(spellings) > 2:  # a ticket number: the unique index, exactly
        return queryset.filter(number__in=spellings)
    return _matching(queryset, SQL_TICKET_IDS, term, "subject")


def filter_translations(
    queryset: QuerySet[ArticleTranslation], query: str
) -> QuerySet[ArticleTranslation]:
    term = clean_term(query)
    if not term:
        return queryset
    return _matching(queryset, SQL_ARTICLE_IDS, term, "title")


def search_articles(
    query: str, *, public_only: bool, language: str | None = None, limit: int = 20
) -> list[Article]:
    """Articles with a translation matching `query`; the visitor's language ranks first."""
    if not clean_term(query):
        return []
    qs = ArticleTranslation.objects.all()
    if public_only:
        qs = qs.filter(
            article__visibility=ArticleVisibility.PUBLIC,
            article__status=ArticleStatus.PUBLISHED,
        )
    hits = filter_translations(qs, query).values_list("article_id", "language")[:200]
    order: dict[int, int] = {}
    for article_id, lang in hits:
        rank = 0 if lang == (language or "")[:2] else 1
        order[article_id] = min(order.get(article_id, 9), rank)
    ids = sorted(order, key=lambda i: (order[i], -i))[:limit]
    found = {a.pk: a for a in Article.objects.filter(pk__in=ids).prefetch_related("translations")}
    return [found[i] for i in ids if i in found]


@registry.register
def provider(user: Any, query: str, limit: int) -> list[registry.SearchResult]:
    if not user.has_module_perm("service", "view"):
        return []
    base = Ticket.objects.select_related("customer")
    numbered = registry.by_number(
        user, base, query, prefix=TICKET_PREFIX, digits=TICKET_DIGITS, limit=limit
    )
    found = {t.pk for t in numbered}
    others = [
        t
        for t in filter_tickets(visible_to(user, base), query).order_by("-created_at")[:limit]
        if t.pk not in found
    ]
    results = [
        registry.SearchResult(
            group=str(_("Tickets")),
            title=f"{t.number} · {t.subject}",
            url=t.get_absolute_url(),
            subtitle=f"{t.customer.name} · {t.get_status_display()}",
            exact=t.pk in found,
        )
        for t in [*numbered, *others][:limit]
    ]
    for article in search_articles(query, public_only=False, limit=limit):
        results.append(
            registry.SearchResult(
                group=str(_("Knowledge base")),
                title=str(article),
                url=article.get_absolute_url(),
                subtitle=article.get_visibility_display(),
            )
        )
    return results
