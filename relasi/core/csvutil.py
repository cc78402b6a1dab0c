"""CSV output that spreadsheet programs cannot turn into formulas (SECURITY.md check 16)."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_rows(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """Yield RFC 4180 CSV lines (UTF-8 BOM first so Excel reads Indonesian text right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([escape_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([escape_cell(v) for v in row])
