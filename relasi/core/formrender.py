"""The form renderer: Django's own (`DjangoTemplates`), except that the standard widgets are
written out in Python instead of through their templates.

A widget rendered by its template costs 0.3–0.5 ms (select.html includes attrs.html, and one
option template per choice, each including attrs.html again); the people list's filter form has
16 of them, which was about a third of the page's CPU (issue 19). The functions below produce
the same bytes as Django's templates in django/forms/templates/django/forms/widgets/ — same
attribute order, escaping, localisation and whitespace — which
relasi/core/tests/test_formrender.py checks widget by widget against the template renderer.
Anything else (form and field templates, custom widget or option templates such as the
customer picker's) goes to the templates as before.
"""

import html
from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData

_CONTEXT = Context(autoescape=True)
_W = "django/forms/widgets/"


def _var(value: Any) -> str:
    """`{{ value }}`: localised, local time, escaped unless already safe."""
    if type(value) is str:
        return html.escape(value)
    return render_value_in_context(value, _CONTEXT)


def _fmt(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` (no localisation; safe input stays unescaped)."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - what the stringformat filter does
    except (ValueError, TypeError):
        return ""
    return text if isinstance(value, SafeData) else html.escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html"""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_var(name)}" if value is True else f' {_var(name)}="{_fmt(value)}"')
    return "".join(out)


def _input(w: dict[str, Any]) -> str:
    """input.html (text, email, number, date, checkbox, hidden, …)"""
    has_value = w["value"] != None  # noqa: E711 - the template's comparison, not identity
    value = f' value="{_fmt(w["value"])}"' if has_value else ""
    return f'<input type="{_var(w["type"])}" name="{_var(w["name"])}"{value}{_attrs(w["attrs"])}>\n'


def _input_option(w: dict[str, Any]) -> str:
    """input_option.html, as included by checkbox_option.html and radio_option.html."""
    if not w.get("wrap_label"):
        return _input(w) + "\n\n"
    label_id = w["attrs"].get("id")
    label_for = f' for="{_var(label_id)}"' if label_id else ""
    return f"<label{label_for}>{_input(w)} {_var(w['label'])}</label>\n\n"


def _select_option(w: dict[str, Any]) -> str:
    """select_option.html"""
    return f'<option value="{_fmt(w["value"])}"{_attrs(w["attrs"])}>{_var(w["label"])}</option>\n'


_OPTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    _W + "select_option.html": _select_option,
    _W + "checkbox_option.html": _input_option,
    _W + "radio_option.html": _input_option,
}


def _option(option: dict[str, Any]) -> str:
    render = _OPTIONS.get(option.get("template_name") or "")
    if render is None:
        raise _Unknown
    return render(option)


def _select(w: dict[str, Any]) -> str:
    """select.html"""
    out = [f'<select name="{_var(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, group_choices, _index in w["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_var(group_name)}">')
        for option in group_choices:
            out.append("\n  " + _option(option))
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _multiple_input(w: dict[str, Any]) -> str:
    """multiple_input.html (checkbox_select.html, radio.html)"""
    attrs = w["attrs"]
    id_ = attrs.get("id")
    out = ["<div", f' id="{_var(id_)}"' if id_ else ""]
    if attrs.get("class"):
        out.append(f' class="{_var(attrs["class"])}"')
    out.append(">")
    for group, options, _index in w["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_var(group)}</label>")
        for option in options:
            out.append("<div>\n    " + _option(option) + "</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n\n")
    return "".join(out)


def _textarea(w: dict[str, Any]) -> str:
    """textarea.html"""
    value = _var(w["value"]) if w["value"] else ""
    return f'<textarea name="{_var(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>\n'


_INPUTS = "input text email number date datetime time url tel search password hidden color"
WIDGETS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"{_W}{name}.html": _input for name in (*_INPUTS.split(), "checkbox")},
    _W + "select.html": _select,
    _W + "checkbox_select.html": _multiple_input,
    _W + "radio.html": _multiple_input,
    _W + "textarea.html": _textarea,
}


class _Unknown(Exception):
    """An option template this module does not write: let the templates render the widget."""


class FastWidgetRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: standard widgets in Python, everything else by template."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        render = WIDGETS.get(template_name)
        if render is not None and context.keys() == {"widget"}:
            try:
                return render(context["widget"]).strip()
            except _Unknown:
                pass
        return super().render(template_name, context, request)
