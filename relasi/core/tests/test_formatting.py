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


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [("en", "3 Dec 2026", "3 Dec 2026 18:53"), ("id", "3 Des 2026", "3 Des 2026 18.53")],
)
def test_every_date_filter_gives_the_same_shape(lang, day, moment):
    """A page mixes `{{ d }}`, `|date:"SHORT_DATE_FORMAT"` and `|date:"DATE_FORMAT"`: all alike."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from django.template import Context, Template

    d = date(2026, 12, 3)
    dt = datetime(2026, 12, 3, 11, 53, tzinfo=ZoneInfo("UTC"))  # 18:53 in Jakarta
    tpl = Template(
        "{{ d }}|{{ d|date:'SHORT_DATE_FORMAT' }}|{{ d|date:'DATE_FORMAT' }}"
        "#{{ dt }}|{{ dt|date:'SHORT_DATETIME_FORMAT' }}|{{ dt|date:'DATETIME_FORMAT' }}"
    )
    with translation.override(lang):
        dates, moments = tpl.render(Context({"d": d, "dt": dt})).split("#")
    assert set(dates.split("|")) == {day}
    assert set(moments.split("|")) == {moment}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_typed_dates_are_read_day_first(lang):
    from datetime import date

    from django import forms

    field = forms.DateField()
    with translation.override(lang):
        assert field.clean("03/12/2026") == date(2026, 12, 3)
        assert field.clean("2026-12-03") == date(2026, 12, 3)
