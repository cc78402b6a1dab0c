"""CSV output that spreadsheet programs cannot turn into formulas (SECURITY.md check 16)."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset("".join(FORMULA_PREFIXES))


def escape_cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if text and text[0] in _FORMULA_FIRST:
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_rows(header: list[str], rows: Iterable[list[Any]], batch: int = 500) -> Iterator[str]:
    """Yield RFC 4180 CSV text (UTF-8 BOM first so Excel reads Indonesian text right), `batch`
    rows per chunk: one chunk per row would spend more time in the response machinery than in
    writing CSV."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([escape_cell(h) for h in header])
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([escape_cell(v) for v in row]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
