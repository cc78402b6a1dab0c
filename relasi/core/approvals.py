"""The approvals inbox: every app that asks for approvals (quote discounts today) registers a
provider; the inbox at /approvals/ and the home page read them all the same way.

A provider answers, for one user and at most `limit` rows each: what waits for their decision
(`pending`), what they asked for (`requested`) and what has been decided (`decided`, by them or
on their requests). Providers scope every query with the access layer and keep it to a fixed
number of queries, so the inbox costs the same whatever the number of approvals."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

TABS: dict[str, Any] = {
    "pending": _("Waiting for me"),
    "requested": _("Requested by me"),
    "decided": _("Decided"),
}
LIMIT = 50


@dataclass
class ApprovalItem:
    """One approval request as the inbox shows it."""

    kind: Any  # e.g. "Quote discount" (lazy translation)
    title: str
    url: str
    summary: str
    status: str  # pending / approved / rejected
    status_label: Any
    requested_by: Any
    requested_at: dt.datetime | None
    decided_by: Any = None
    decided_at: dt.datetime | None = None
    note: str = ""


class Provider(Protocol):
    def pending(self, user: Any, limit: int) -> list[ApprovalItem]: ...

    def pending_count(self, user: Any) -> int: ...

    def requested(self, user: Any, limit: int) -> list[ApprovalItem]: ...

    def decided(self, user: Any, limit: int) -> list[ApprovalItem]: ...


_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _newest(items: list[ApprovalItem], field: str, limit: int) -> list[ApprovalItem]:
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: getattr(i, field) or epoch, reverse=True)[:limit]


def items(user: Any, tab: str, limit: int = LIMIT) -> list[ApprovalItem]:
    rows: list[ApprovalItem] = []
    for provider in _providers:
        rows.extend(getattr(provider, tab)(user, limit))
    return _newest(rows, "decided_at" if tab == "decided" else "requested_at", limit)


def pending_count(user: Any) -> int:
    return sum(provider.pending_count(user) for provider in _providers)


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "pending")
    if tab not in TABS:
        tab = "pending"
    return render(
        request,
        "core/approvals.html",
        {
            "tab": tab,
            "tabs": TABS.items(),
            "items": items(request.user, tab),
            "pending": pending_count(request.user),
            "limit": LIMIT,
        },
    )
