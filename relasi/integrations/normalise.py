"""Per-cell normalisers shared by every import target. Each returns the clean value or raises
`CellError` with a translatable reason. They are on the hot path of million-row imports, so
the common cases are answered by precompiled regexes and caches before any slow library call."""

import datetime as dt
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from relasi.customers import phones
from relasi.integrations.reference import wilayah


class CellError(ValueError):
    """A cell that cannot be imported; the message is shown to the user."""


# --- phones -------------------------------------------------------------------------------------
_PHONE_JUNK = re.compile(r"[\s().\-/]+")
# +62 / 62 / 0062 (the international prefix dialled from abroad), then the trunk 0 that people
# keep after the country code by mistake (+62 0812…, "+62 (0) 812…"), then the national number.
_ID_LOCAL = re.compile(r"^(?:\+62|0062|62)?0?([1-9]\d{6,12})$")


_SHAPES: dict[tuple[str, int], bool] = {}


def _id_shape_valid(national: str) -> bool:
    # Validity of an Indonesian number depends on its leading digits and length (that is how
    # libphonenumber's metadata is written), so one full check per (prefix, length) decides.
    key = (national[:4], len(national))
    known = _SHAPES.get(key)
    if known is None:
        known = _SHAPES[key] = phones.to_e164("+62" + national, "ID") is not None
    return known


def bad_phone_message(value: str) -> str:
    return _("%(value)s is not a valid phone number.") % {"value": value[:40]}


def phone(raw: str) -> str:
    """E.164 (+62…) for whatever people type: 0812-3456-7890, +62 812 3456 7890, 62812…, 812…"""
    text = raw.strip()
    if not text:
        return ""
    if text.endswith(".0") and text[:-2].isdigit():  # numbers that went through a float
        text = text[:-2]
    compact = _PHONE_JUNK.sub("", text)
    m = _ID_LOCAL.match(compact)
    if m and (compact.startswith(("+62", "62", "0")) or compact.startswith("8")):
        national = m.group(1)
        if _id_shape_valid(national):
            return "+62" + national
        raise CellError(bad_phone_message(text))
    e164 = phones.to_e164(text, "ID")
    if e164 is None:
        raise CellError(bad_phone_message(text))
    return e164


# --- e-mail -------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def email(raw: str) -> str:
    value = raw.strip().lower()
    if not value:
        return ""
    if len(value) <= 254 and _EMAIL.match(value):
        return value
    try:  # internationalised addresses and edge cases: Django's own validator decides
        validate_email(value)
    except ValidationError:
        raise CellError(
            _("%(value)s is not a valid e-mail address.") % {"value": value[:60]}
        ) from None
    return value


# --- dates --------------------------------------------------------------------------------------
MONTHS = {
    # Indonesian
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3,
    "mar": 3, "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "agst": 8, "ags": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "nop": 11, "desember": 12, "des": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "aug": 8, "october": 10, "oct": 10, "december": 12, "dec": 12,
}  # fmt: skip
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_WORDS = re.compile(r"^(\d{1,2})\s*[-/ ]?\s*([a-z]+)\.?\s*[-/ ,]?\s*(\d{4})$")
_WORDS_US = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    if year < 100:  # two-digit years: 00-29 -> 2000s, else 1900s
        year += 2000 if year < 30 else 1900
    return year


_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 19970101 (or 17081990), as systems export


def _ymd(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as written, or None when the text has no date shape at all."""
    if m := _ISO.match(text):
        return int(m[1]), int(m[2]), int(m[3])
    if m := _COMPACT.match(text):
        if not 1800 <= int(m[1]) <= 2199 and 1800 <= int(text[4:]) <= 2199:
            return int(text[4:]), int(text[2:4]), int(text[:2])  # 17081990, day first
        return int(m[1]), int(m[2]), int(m[3])
    if m := _DMY.match(text):  # Indonesia writes day first
        return _year(m[3]), int(m[2]), int(m[1])
    if (m := _WORDS.match(text)) and m[2] in MONTHS:
        return int(m[3]), MONTHS[m[2]], int(m[1])
    if (m := _WORDS_US.match(text)) and m[1] in MONTHS:
        return int(m[3]), MONTHS[m[1]], int(m[2])
    return None


@lru_cache(maxsize=50_000)
def date(raw: str) -> dt.date | None:
    """17/08/1990, 17-08-1990, 1990-08-17, 19900817, 17 Agustus 1990, August 17, 1990."""
    text = raw.strip().lower()
    if not text:
        return None
    parts = _ymd(text)
    if parts is None:
        raise CellError(_("%(value)s is not a date we understand.") % {"value": raw.strip()[:40]})
    try:
        return dt.date(*parts)
    except ValueError:  # the shape of a date, but no such day (31/02/1990, 2024-13-01)
        raise CellError(_("%(value)s is not a real date.") % {"value": raw.strip()[:40]}) from None


def birth_date(raw: str, today: dt.date) -> dt.date | None:
    """A date of birth: a real date that is not in the future."""
    value = date(raw)
    if value is not None and value > today:
        raise CellError(
            _("%(value)s is in the future; a date of birth cannot be.")
            % {"value": raw.strip()[:40]}
        )
    return value


# --- gender -------------------------------------------------------------------------------------
GENDERS = {
    "l": "male", "lk": "male", "laki-laki": "male", "laki laki": "male", "lakilaki": "male",
    "laki": "male", "pria": "male", "m": "male", "male": "male", "man": "male", "cowok": "male",
    "p": "female", "pr": "female", "perempuan": "female", "wanita": "female", "f": "female",
    "female": "female", "woman": "female", "w": "female", "cewek": "female",
    "lainnya": "other", "other": "other", "x": "other",
}  # fmt: skip


def gender(raw: str) -> str:
    text = raw.strip().lower().rstrip(".")
    if not text:
        return ""
    if text in GENDERS:
        return GENDERS[text]
    raise CellError(_("%(value)s is not a gender we understand.") % {"value": raw.strip()[:20]})


# --- places -------------------------------------------------------------------------------------
@lru_cache(maxsize=20_000)
def province(raw: str) -> str:
    text = raw.strip()
    return (wilayah.match_province(text) or text.title())[:100] if text else ""


@lru_cache(maxsize=20_000)
def city(raw: str) -> tuple[str, str]:
    """(city, its province if known)."""
    text = raw.strip()
    if not text:
        return "", ""
    found = wilayah.match_city(text)
    if found:
        return found
    return text.title()[:100], ""
