from typing import Any

from django import template
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _flush(blocks: list[str], items: list[str], para: list[str]) -> None:
    if items:
        blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        items.clear()
    if para:
        blocks.append("<p>" + "<br>".join(para) + "</p>")
        para.clear()


@register.filter
def kb_render(text: str) -> SafeString:
    """Knowledge-base text to HTML: every character escaped first, then blank-line paragraphs,
    '## ' headings, runs of '- ' lines as lists, and bare links made clickable (rel=nofollow)."""
    blocks: list[str] = []
    items: list[str] = []
    para: list[str] = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        for raw in chunk.split("\n"):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("## "):
                _flush(blocks, items, para)
                blocks.append(f'<h3 class="h5 mt-3">{_inline(line[3:])}</h3>')
            elif line.startswith("- "):
                if para:
                    _flush(blocks, items, para)
                items.append(_inline(line[2:]))
            else:
                if items:
                    _flush(blocks, items, para)
                para.append(_inline(line))
        _flush(blocks, items, para)
    return mark_safe("\n".join(blocks))  # noqa: S308 - built only from escaped text


def _inline(text: str) -> str:
    return urlize(escape(text), nofollow=True, autoescape=False)


@register.filter
def duration(minutes: Any) -> str:
    from relasi.service.businesstime import format_duration

    if minutes in (None, ""):
        return "—"
    return format_duration(float(minutes))
