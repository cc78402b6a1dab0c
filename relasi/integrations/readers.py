"""Reading uploaded spreadsheets: CSV in any common delimiter and encoding, or XLSX.

`inspect()` detects format, encoding and delimiter and returns the header row and a preview;
`rows()` yields `(line, cells)` for every data record, where `line` is the physical line (CSV)
or sheet row (XLSX) the record starts on, so error reports point at what the user sees."""

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
MAX_COLUMNS = 200
MAX_CELL = 10_000  # characters kept per cell; longer cells are a row error
BAD_ROW = "\ue000"  # first cell of a record the CSV parser refused (private-use marker)
csv.field_size_limit(1024 * 1024)


@dataclass
class FileInfo:
    file_format: str  # "csv" | "xlsx"
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)


def detect_encoding(fh: IO[bytes]) -> str:
    """utf-8-sig (BOM), utf-8, else cp1252 (Windows Excel), else latin-1 (never fails)."""
    fh.seek(0)
    head = fh.read(4)
    fh.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValidationError(_("UTF-16 files are not supported: save the file as UTF-8 CSV."))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := fh.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    finally:
        fh.seek(0)
    decoder2 = codecs.getincrementaldecoder("cp1252")()
    try:
        while chunk := fh.read(1024 * 1024):
            decoder2.decode(chunk)
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"
    finally:
        fh.seek(0)


def detect_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _text(fh: IO[bytes], encoding: str) -> io.TextIOWrapper:
    fh.seek(0)
    return io.TextIOWrapper(fh, encoding=encoding, newline="", errors="replace")  # type: ignore[type-var]


def _csv_records(fh: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    text = _text(fh, encoding)
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    start = 1
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, [f"{BAD_ROW}{exc}"]
                start = reader.line_num + 1
                continue
            if "\x00" in "".join(row):  # NUL cannot be stored (PostgreSQL text and JSON)
                row = [c.replace("\x00", "") for c in row]
            yield start, row
            start = reader.line_num + 1
    finally:
        text.detach()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_records(fh: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    fh.seek(0)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ValidationError(_("This is not a readable XLSX workbook.")) from exc
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            return
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in row[:MAX_COLUMNS]]
            while cells and cells[-1] == "":
                cells.pop()
            yield number, cells
    finally:
        wb.close()


def records(
    fh: IO[bytes], file_format: str, encoding: str = "utf-8", delimiter: str = ","
) -> Iterator[tuple[int, list[str]]]:
    """Every non-empty record including the header, as (line, cells)."""
    source = _xlsx_records(fh) if file_format == "xlsx" else _csv_records(fh, encoding, delimiter)
    for line, cells in source:
        if cells and any(c.strip() for c in cells):
            yield line, cells


def inspect(fh: IO[bytes], file_format: str, preview_rows: int = 10) -> FileInfo:
    info = FileInfo(file_format=file_format)
    if file_format == "csv":
        info.encoding = detect_encoding(fh)
        fh.seek(0)
        sample = fh.read(SAMPLE_BYTES).decode(info.encoding, errors="replace")
        info.delimiter = detect_delimiter(sample)
    it = records(fh, file_format, info.encoding, info.delimiter)
    try:
        first = next(it, None)
        if first is None or first[1][0].startswith(BAD_ROW):
            raise ValidationError(_("The file has no header row."))
        headers = [h.strip()[:100] for h in first[1][:MAX_COLUMNS]]
        if len(set(filter(None, headers))) < 1:
            raise ValidationError(_("The file has no header row."))
        info.headers = [h or _("Column %(n)s") % {"n": i + 1} for i, h in enumerate(headers)]
        for _line, cells in it:
            info.preview.append([c[:200] for c in cells[: len(headers)]])
            if len(info.preview) >= preview_rows:
                break
    finally:
        it.close()  # type: ignore[attr-defined]
        fh.seek(0)
    return info
