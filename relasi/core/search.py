"""Global search registry: each app registers a provider; the top-bar search and the Ctrl+K
palette query them all. Providers must scope results with the access layer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class SearchResult:
    group: str
    title: str
    url: str
    subtitle: str = ""
    flag: str = ""  # e.g. "blacklisted"


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
    return results
