from typing import Any

from django import template
from django.http import QueryDict

from relasi.core import access, formatting

register = template.Library()


@register.filter
def money(value: Any, currency: str | None = None) -> str:
    return formatting.money(value, currency)


@register.filter
def num(value: Any, digits: int = 0) -> str:
    return formatting.number(value, digits)


@register.filter
def dash(value: Any) -> Any:
    return "—" if value in (None, "", []) else value


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def query_set(query: str, **kwargs: Any) -> str:
    """Return `query` with some parameters replaced (for sort/page links)."""
    params = QueryDict(query, mutable=True)
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def sidebar_nav(context: Any) -> str:
    """The sidebar's sections for the signed-in user (rendered once per distinct content)."""
    from relasi.core.context_processors import sidebar

    request = context.get("request")
    return sidebar(request) if request is not None else ""


@register.filter
def is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


@register.filter
def bs(bound_field: Any) -> Any:
    """Render a form field with Bootstrap classes (and aria-invalid when it has errors)."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "")
    if getattr(widget, "allow_multiple_selected", False) and input_type == "checkbox":
        css = ""
    elif input_type in ("checkbox", "radio"):
        css = "form-check-input"
    elif widget.__class__.__name__ in ("Select", "SelectMultiple", "NullBooleanSelect"):
        css = "form-select"
    else:
        css = "form-control"
    attrs: dict[str, Any] = {}
    if css:
        attrs["class"] = css + (" is-invalid" if bound_field.errors else "")
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def may(user: Any, perm: str) -> bool:
    """`{% if user|may:"analytics.add" %}`: show a button only to users it will not 403."""
    return access.may(user, perm)
