"""Global search registry: each app registers a provider; the top-bar search and the Ctrl+K
palette query them all. Providers must scope results with the access layer.

Record numbers (tickets TKT-2026-000042, quotes Q-2026-00042, orders) are looked up with
`by_number()`: an exact match on the number column's index for each way the number may have
been typed, so "tkt 2026 42" or "2026-42" finds TKT-2026-000042 without scanning. Such hits are
marked `exact` and listed first, so Enter in Ctrl+K opens the record whose number was typed."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

from relasi.core.access import visible_to

M = TypeVar("M", bound=models.Model)
# PREFIX-YEAR-SEQUENCE, with any of - / space / nothing between the parts, the prefix optional.
_SEQUENCED = re.compile(
    r"^(?:(?P<prefix>[a-z]+)[\s/-]*)?(?P<year>(?:19|20)\d\d)[\s/-]*(?P<seq>\d{1,9})$"
)


@dataclass
class SearchResult:
    group: str
    title: str
    url: str
    subtitle: str = ""
    flag: str = ""  # e.g. "blacklisted"
    exact: bool = False  # the record whose number was typed: listed first


Provider = Callable[[Any, str, int], list[SearchResult]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def search(user: Any, query: str, limit: int = 8) -> list[SearchResult]:
    query = query.replace("\x00", "").strip()[:100]  # PostgreSQL text cannot hold NUL
    if len(query) < 2:
        return []
    results: list[SearchResult] = []
    for provider in _providers:
        results.extend(provider(user, query, limit))
    results.sort(key=lambda r: not r.exact)  # stable: providers keep their own order
    return results


def number_spellings(query: str, prefix: str = "", digits: int = 0) -> list[str]:
    """The ways `query` may spell a record number: as typed, upper-cased and, for numbers made
    of PREFIX-YEAR-SEQUENCE (`prefix`, a sequence of `digits` digits), written out in full."""
    typed = " ".join(query.split())[:100]
    if not typed:
        return []
    spellings = [typed, typed.upper()]
    if prefix:
        m = _SEQUENCED.match(typed.lower())
        if m and (m["prefix"] or "") in ("", prefix.lower()) and len(m["seq"]) <= digits:
            spellings.append(f"{prefix.upper()}-{m['year']}-{int(m['seq']):0{digits}d}")
    return list(dict.fromkeys(spellings))


def by_number(
    user: Any,
    queryset: models.QuerySet[M],
    query: str,
    *,
    field: str = "number",
    prefix: str = "",
    digits: int = 0,
    limit: int = 8,
) -> list[M]:
    """The records of `queryset` that `user` may see whose `field` is the number `query` spells:
    one `IN` lookup on the column's index, never a scan (see `number_spellings`)."""
    spellings = number_spellings(query, prefix, digits)
    if not spellings:
        return []
    return list(visible_to(user, queryset.filter(**{f"{field}__in": spellings}))[:limit])
