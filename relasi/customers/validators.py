"""Field validators of the customer database (used by the model, so forms, the API and every
action that calls full_clean() share them)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def not_in_future(value: dt.date | None) -> None:
    """A date of birth cannot be after today (in the configured time zone)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("A date of birth cannot be in the future."), code="date_in_future")


# --- sensitive fields (encrypted, relasi/core/crypto.py): normalised and checked by the actions
# before they are sealed, since the model only ever holds the token --------------------------

# Kemendagri province codes: the first two digits of a NIK (91–96: the Papua provinces, old and
# new numbering).
NIK_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    ]
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # any year: 29 Feb may be real


def digits_only(value: str) -> str:
    """ "3171 0123-4567.8901" -> "3171012345678901" (spaces, dots and dashes people type)."""
    return "".join(ch for ch in (value or "").strip() if ch not in " .-\u00a0")


def validate_nik(value: str) -> None:
    """A NIK: 16 digits; province code (digits 1–2) that exists; date of birth (digits 7–12,
    DDMMYY, women's day + 40) that can be a date; sequence (digits 13–16) not 0000."""
    if len(value) != 16 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_format")
    if value[:2] not in NIK_PROVINCES:
        raise ValidationError(
            _("This NIK starts with %(code)s, which is not a province code.") % {"code": value[:2]},
            code="nik_province",
        )
    day, month = int(value[6:8]), int(value[8:10])
    day = day - 40 if day > 40 else day
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
        raise ValidationError(
            _("Digits 7–12 of a NIK are a date of birth (DDMMYY); %(part)s is not one.")
            % {"part": value[6:12]},
            code="nik_date",
        )
    if value[12:] == "0000":
        raise ValidationError(_("A NIK does not end in 0000."), code="nik_sequence")


def validate_bank_account(value: str) -> None:
    if not (6 <= len(value) <= 20) or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("A bank account number has 6 to 20 digits."), code="bank_account_format"
        )
