"""Money and number formatting for the active language (Babel / CLDR).

CLDR gives IDR two decimals; Indonesians write whole rupiah, so IDR is formatted without them.
Babel does not apply CLDR's currency spacing, so a symbol made of letters ("IDR", "Rp", "SGD")
is glued to the digits ("IDR7,727,100"); `_spaced` puts the no-break space CLDR asks for
between them ("IDR 7,727,100", "Rp 7.727.100"), and none after "$" or "€".
"""

import re
from decimal import Decimal
from typing import Any

from babel.numbers import format_compact_currency, format_currency, format_decimal
from django.conf import settings
from django.utils.translation import get_language

WHOLE_CURRENCIES = {"IDR", "JPY", "KRW", "VND"}
NBSP = "\u00a0"
# A letter next to a digit, on either side of the number: CLDR currencySpacing
# (currencyMatch [[:^S:]&[:^Z:]], surroundingMatch [:digit:], insertBetween NBSP).
_GLUED_BEFORE = re.compile(r"(?<=[^\W\d_])(?=\d)")
_GLUED_AFTER = re.compile(r"(?<=\d)(?=[^\W\d_])")


def _spaced(text: str) -> str:
    return _GLUED_AFTER.sub(NBSP, _GLUED_BEFORE.sub(NBSP, text, count=1), count=1)


def babel_locale() -> str:
    lang = (get_language() or settings.LANGUAGE_CODE or "id").lower()
    return "id_ID" if lang.startswith("id") else "en_US"


def money(value: Any, currency: str | None = None) -> str:
    if value in (None, ""):
        return "—"
    currency = (currency or settings.DEFAULT_CURRENCY).upper()
    amount = Decimal(str(value))
    if currency in WHOLE_CURRENCIES:
        text = format_currency(
            amount, currency, format="¤#,##0", locale=babel_locale(), currency_digits=False
        )
    else:
        text = format_currency(amount, currency, locale=babel_locale())
    return _spaced(text)


def compact_money(value: Any, currency: str | None = None, digits: int = 2) -> str:
    """A large amount shortened for a card: "Rp 14,86 M", "IDR 14.86M"."""
    currency = (currency or settings.DEFAULT_CURRENCY).upper()
    text = format_compact_currency(
        Decimal(str(value)), currency, locale=babel_locale(), fraction_digits=digits
    )
    return _GLUED_BEFORE.sub(NBSP, text, count=1)


def number(value: Any, digits: int = 0) -> str:
    if value in (None, ""):
        return "—"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(str(value)), format=fmt, locale=babel_locale())
