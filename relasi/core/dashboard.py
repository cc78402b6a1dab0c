"""The home page: each app registers panels (an agenda, a pipeline, a queue …) and small
counter cards; the page shows the ones meant for the user's audiences.

Audiences follow from the role's permissions and visibility, not its name, so a custom role
gets the home page that matches what it may do:

- ``admin``: may change the administration module (the system view);
- ``manager``: sees subordinates' records (or has people reporting to them): the team's
  pipeline, approvals waiting, SLA risk;
- ``sales``: may add sales records: today's agenda, her pipeline, quota attainment;
- ``service``: may change tickets: my open tickets, unassigned ones in my queues, near breach;
- ``marketing``: may change the marketing module: lead sources, segments, web-form leads.

An administrator or a manager gets only that view; the others combine (a rep who also answers
tickets sees both). A panel function gets ``(user, audiences)`` and returns a `Panel` or
``None``; it scopes every query with the access layer and keeps to a fixed number of them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from relasi.core.choices import Visibility

ADMIN, MANAGER, SALES, SERVICE, MARKETING = "admin", "manager", "sales", "service", "marketing"


@dataclass
class Panel:
    title: Any
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50
    wide: bool = False  # the whole row instead of half of it on wide screens
    url: str = ""  # "see all"
    key: str = ""


_widgets: list[Callable[[Any], list[dict[str, Any]]]] = []
_panels: list[Callable[[Any, set[str]], Panel | None]] = []


def register(fn: Callable[[Any], list[dict[str, Any]]]) -> Callable[[Any], list[dict[str, Any]]]:
    """A counter-card function: ``fn(user) -> [{"label", "value", "url", "note"}]``."""
    if fn not in _widgets:
        _widgets.append(fn)
    return fn


def panel(fn: Callable[[Any, set[str]], Panel | None]) -> Callable[[Any, set[str]], Panel | None]:
    if fn not in _panels:
        _panels.append(fn)
    return fn


def widgets(user: Any) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    for fn in _widgets:
        cards.extend(fn(user))
    return cards


def audiences(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.has_module_perm("admin", "change"):
        return {ADMIN}
    if user.visibility == Visibility.SUBORDINATES or user.reports.filter(is_active=True).exists():
        return {MANAGER}
    found = set()
    if user.has_module_perm("sales", "add"):
        found.add(SALES)
    if user.has_module_perm("service", "change"):
        found.add(SERVICE)
    if user.has_module_perm("marketing", "change"):
        found.add(MARKETING)
    return found


def panels(user: Any) -> list[Panel]:
    who = audiences(user)
    found = [p for p in (fn(user, who) for fn in _panels) if p is not None]
    return sorted(found, key=lambda p: p.order)
