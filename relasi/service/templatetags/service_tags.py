from typing import Any

from django import template
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def kb_render(text: str) -> SafeString:
    """Knowledge-base text to HTML: every character escaped first, then blank-line paragraphs,
    '## ' headings, '- ' list items and bare links made clickable (rel=nofollow)."""
    blocks: list[str] = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
            continue
        for line in list(lines):
            if line.startswith("## "):
                blocks.append(f'<h3 class="h5 mt-3">{_inline(line[3:])}</h3>')
                lines.remove(line)
        if lines:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308 - built only from escaped text


def _inline(text: str) -> str:
    return urlize(escape(text), nofollow=True, autoescape=False)


@register.filter
def duration(minutes: Any) -> str:
    from relasi.service.businesstime import format_duration

    if minutes in (None, ""):
        return "—"
    return format_duration(float(minutes))
