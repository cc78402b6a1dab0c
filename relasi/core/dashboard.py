"""Home-page widgets: each app registers a function returning cards for a user."""

from collections.abc import Callable
from typing import Any

_widgets: list[Callable[[Any], list[dict[str, Any]]]] = []


def register(fn: Callable[[Any], list[dict[str, Any]]]) -> Callable[[Any], list[dict[str, Any]]]:
    if fn not in _widgets:
        _widgets.append(fn)
    return fn


def widgets(user: Any) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    for fn in _widgets:
        cards.extend(fn(user))
    return cards
