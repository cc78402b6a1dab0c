"""Months and quarters as [start, end) date ranges."""

import datetime as dt

from relasi.sales.choices import PeriodKind


def period_start(day: dt.date, kind: str) -> dt.date:
    if kind == PeriodKind.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, day.month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(start: dt.date, kind: str) -> dt.date:
    """The first day after the period."""
    return add_months(start, 3 if kind == PeriodKind.QUARTER else 1)


def previous(start: dt.date, kind: str) -> dt.date:
    return add_months(start, -3 if kind == PeriodKind.QUARTER else -1)


def label(start: dt.date, kind: str) -> str:
    if kind == PeriodKind.QUARTER:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%Y-%m}"


def parse(value: str | None, kind: str, today: dt.date) -> dt.date:
    """A period from a query value ('2026-07', '2026-Q3'), else the current one."""
    if value:
        try:
            if "Q" in value.upper():
                year, q = value.upper().split("-Q")
                return dt.date(int(year), 3 * (int(q) - 1) + 1, 1)
            year, month = value.split("-")[:2]
            return period_start(dt.date(int(year), int(month), 1), kind)
        except (ValueError, TypeError):
            pass
    return period_start(today, kind)


def key(start: dt.date, kind: str) -> str:
    if kind == PeriodKind.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"
