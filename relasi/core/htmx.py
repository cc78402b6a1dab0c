"""htmx helpers: one view renders either the whole page or the fragment htmx asked for."""

from typing import Any

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """A real htmx partial request (boosted navigation still gets the full page)."""
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def template_for(request: HttpRequest, template: str, partial: str) -> str:
    """`template` for full pages, `template#partial` (a template partial) for htmx."""
    return f"{template}#{partial}" if is_htmx(request) else template
