"""Money and number formatting for the active language (Babel / CLDR).

CLDR gives IDR two decimals; Indonesians write whole rupiah, so IDR is formatted without them.
"""

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal
from django.conf import settings
from django.utils.translation import get_language

WHOLE_CURRENCIES = {"IDR", "JPY", "KRW", "VND"}


def babel_locale() -> str:
    lang = (get_language() or settings.LANGUAGE_CODE or "id").lower()
    return "id_ID" if lang.startswith("id") else "en_US"


def money(value: Any, currency: str | None = None) -> str:
    if value in (None, ""):
        return "—"
    currency = (currency or settings.DEFAULT_CURRENCY).upper()
    amount = Decimal(str(value))
    if currency in WHOLE_CURRENCIES:
        return format_currency(
            amount, currency, format="¤#,##0", locale=babel_locale(), currency_digits=False
        )
    return format_currency(amount, currency, locale=babel_locale())


def number(value: Any, digits: int = 0) -> str:
    if value in (None, ""):
        return "—"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(str(value)), format=fmt, locale=babel_locale())
