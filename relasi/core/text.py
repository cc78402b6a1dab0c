"""Characters no text input may carry (issue #19), checked in one place for every form field
(`forms.CharField.default_validators`, installed by the core app) and every API call
(`check_request`, run by `relasi.core.api.RelasiAPI` before any operation: query and JSON body):

- NUL (U+0000): PostgreSQL text cannot hold it, so it failed only there, with a 500;
- the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): invisible,
  they make a name or a file name display as something else ("Trojan Source" spoofing).

They are refused with a message naming the character, never silently dropped, so what is
stored is what was sent."""

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError

FORBIDDEN = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")


def forbidden_character(value: str) -> str | None:
    """`U+202E` style name of the first forbidden character in `value`, or None."""
    found = FORBIDDEN.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def message(code: str) -> str:
    return _(
        "Contains an invisible control character (%(code)s) that is not allowed; remove it."
    ) % {"code": code}


def validate_text(value: Any) -> None:
    """Form-field validator (every CharField gets it)."""
    if isinstance(value, str) and (code := forbidden_character(value)):
        raise ValidationError(message(code), code="control_character")


def install_form_validator() -> None:
    """Every forms.CharField (and so every ModelForm text field, RegexField, the filter forms)
    starts with `validate_text`; fields with their own format (e-mail, URL, slug) reject the
    characters anyway. Called once by the core app's ready()."""
    if validate_text not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, validate_text]


def _problems(value: Any, loc: tuple[Any, ...]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        code = forbidden_character(value)
        return (
            [{"type": "control_character", "loc": list(loc), "msg": message(code)}] if code else []
        )
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            out += _problems(key, (*loc, key)) + _problems(item, (*loc, key))
        return out
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _problems(item, (*loc, i))]
    return []


# The characters as they can appear in a raw JSON body: escaped, or UTF-8 encoded.
RAW_JSON = re.compile(
    rb"\\u0000|\\u202[a-eA-E]|\\u206[6-9]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\x00"
)


def check_request(request: HttpRequest) -> None:
    """Raise ninja's ValidationError (answered 422 with the places) when the query string or
    the JSON body carries a forbidden character. Bodies are only parsed when a quick scan of
    the bytes finds a candidate, so clean requests cost one regex search."""
    problems = [
        p for key, values in request.GET.lists() for p in _problems([key, *values], ("query", key))
    ]
    if request.content_type == "application/json" and RAW_JSON.search(request.body):
        try:
            data = json.loads(request.body)
        except ValueError:
            data = None  # ninja answers the malformed body itself
        problems += _problems(data, ("body",))
    if problems:
        raise NinjaValidationError(problems)
