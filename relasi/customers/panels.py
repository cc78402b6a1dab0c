"""Blocks other apps add to record pages without editing their templates.

    from relasi.customers import panels

    @panels.register("customer")          # or "deal", "ticket"
    def cross_sell(request, obj) -> str:  # HTML (escaped by the provider), "" for nothing
        return render_to_string("...", {...}, request=request)

The page template renders them with `{% load record_panels %}{% record_panels "customer" object %}`.
A failing provider is logged and skipped: a panel never breaks the page it sits on."""

import logging
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

log = logging.getLogger("relasi.customers.panels")

Panel = Callable[[Any, Any], str]
_panels: dict[str, list[Panel]] = {}


def register(place: str) -> Callable[[Panel], Panel]:
    def wrap(fn: Panel) -> Panel:
        found = _panels.setdefault(place, [])
        if fn not in found:
            found.append(fn)
        return fn

    return wrap


def render(place: str, request: Any, obj: Any) -> SafeString:
    parts = []
    for fn in _panels.get(place, []):
        try:
            parts.append(str(fn(request, obj) or ""))
        except Exception:
            log.exception("panel failed", extra={"event": "panel.failed", "place": place})
    return mark_safe("".join(parts))  # noqa: S308 - providers return rendered templates
