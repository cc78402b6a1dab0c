from typing import Any

from django import template
from django.utils.safestring import SafeString

from relasi.customers import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context: Any, place: str, obj: Any) -> SafeString:
    return panels.render(place, context.get("request"), obj)
