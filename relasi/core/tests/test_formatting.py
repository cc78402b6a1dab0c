"""Money reads as people write it: whole rupiah, and a no-break space between a symbol made of
letters and the digits (CLDR currency spacing), in both languages."""

from decimal import Decimal

import pytest
from django.utils import translation

from relasi.core import formatting

NB = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "value", "currency", "expected"),
    [
        ("en", 7727100, None, f"IDR{NB}7,727,100"),
        ("id", 7727100, None, f"Rp{NB}7.727.100"),
        ("en", Decimal("45000000.00"), "IDR", f"IDR{NB}45,000,000"),
        ("en", -1500, "IDR", f"-IDR{NB}1,500"),
        ("en", Decimal("12.5"), "USD", "$12.50"),
        ("id", Decimal("99"), "EUR", "€99,00"),
        ("en", 5, "SGD", f"SGD{NB}5.00"),
    ],
)
def test_money(lang, value, currency, expected):
    with translation.override(lang):
        assert formatting.money(value, currency) == expected


def test_compact_money_is_spaced_and_localised():
    with translation.override("en"):
        assert formatting.compact_money(14_860_000_000) == f"IDR{NB}14.86B"
    with translation.override("id"):
        assert formatting.compact_money(14_860_000) == f"Rp{NB}14,86{NB}jt"


def test_empty_money_is_a_dash():
    assert formatting.money(None) == "—" and formatting.money("") == "—"
