"""Phone numbers: parse whatever people type (0812…, +62 812…, 62-812…) into E.164."""

import re

import phonenumbers
from django.conf import settings

_DIGITS = re.compile(r"\D+")


def to_e164(raw: str, region: str | None = None) -> str | None:
    """E.164 (+6281234567890) or None when the input is not a valid number."""
    text = (raw or "").strip()
    if not text:
        return None
    region = region or settings.PHONENUMBER_DEFAULT_REGION
    digits = _DIGITS.sub("", text)
    if not text.startswith("+") and digits.startswith("0062"):  # dialled from abroad
        digits = digits[2:]
    # "62812…" typed without "+" is an Indonesian number with its country code.
    if not text.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        text = "+" + digits
    if digits.startswith("620") and text.startswith("+"):  # "+62 (0) 812…": the 0 is extra
        text = "+62" + digits[3:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def variants(e164: str) -> list[str]:
    """Forms a number may be searched by: +6281…, 6281…, 081…, 81…"""
    if not e164:
        return []
    digits = e164.lstrip("+")
    out = [e164, digits]
    if digits.startswith("62"):
        out += ["0" + digits[2:], digits[2:]]
    return out


# (prefix, length) -> the formatted number's separators as (text before, digits) pairs
_SHAPES: dict[tuple[str, int], tuple[tuple[str, slice], ...]] = {}
_GROUPS = re.compile(r"(\D*)(\d+)")


def display(e164: str) -> str:
    """International format (+62 812-3456-7890). The grouping depends only on the leading digits
    and the length, so it is computed once per (prefix, length) and reused: exports format a
    million numbers without calling libphonenumber a million times."""
    if not e164 or not e164.startswith("+"):
        return e164
    key = (e164[:7], len(e164))
    shape = _SHAPES.get(key)
    if shape is None:
        try:
            formatted = phonenumbers.format_number(
                phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
        except phonenumbers.NumberParseException:
            return e164
        if _DIGITS.sub("", formatted) != e164[1:]:
            return formatted  # not a pure regrouping of the digits: don't cache
        parts = []
        pos = 1
        for sep, digits in _GROUPS.findall(formatted):
            parts.append((sep, slice(pos, pos + len(digits))))
            pos += len(digits)
        shape = tuple(parts)
        if len(_SHAPES) < 10_000:
            _SHAPES[key] = shape
    return "".join([sep + e164[part] for sep, part in shape])


def search_key(query: str) -> str | None:
    """If a search query looks like a phone number, its E.164 form."""
    digits = _DIGITS.sub("", query)
    if len(digits) < 6:
        return None
    return to_e164(query)
