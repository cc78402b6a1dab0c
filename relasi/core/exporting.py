"""Exports of any filtered list: rows read straight from `values_list` when the columns allow
it (no ORM object per row), CSV through core.csvutil, XLSX through a small streaming writer.
CSV cells that start like a formula get an apostrophe (SECURITY.md check 16); XLSX cells are typed
(`inlineStr`), which spreadsheet programs never evaluate, so their text is written unchanged — a
phone number reads "+62 812…", not "'+62 812…". Both keep memory flat at any size."""

import math
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from django.db import models
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _

from relasi.core.throttle import Limit

EXPORT_LIMIT = Limit("export", 30, 600)  # per user: 30 exports in 10 minutes
CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def throttled(user: Any) -> HttpResponse | None:
    """A 429 with Retry-After when the user exported too often, else count this export."""
    ident = str(user.pk)
    if wait := EXPORT_LIMIT.blocked_for(ident):
        from relasi.core.audit import security_event

        security_event("export.throttled", user=user)
        response = HttpResponse(_("Too many exports; try again later."), status=429)
        response["Retry-After"] = str(wait)
        return response
    EXPORT_LIMIT.hit(ident)
    return None


# --- rows ---------------------------------------------------------------------------------------
class _Probe:
    """Wraps a model instance and records which attributes a column callable reads."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self._seen: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self._seen.add(name)
        return getattr(self._obj, name)


class _Row:
    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def __getattr__(self, name: str) -> Any:
        return self._d[name]


def _plan(queryset: models.QuerySet, columns: list[Any]) -> tuple[list[str], list[Callable]] | None:
    """Fields to fetch and one getter per column, or None when a column needs real objects."""
    model = queryset.model
    concrete = {f.name: f for f in model._meta.concrete_fields}
    attnames = {f.attname for f in model._meta.concrete_fields}
    fields: list[str] = []
    getters: list[Callable] = []
    sample = None

    def need(name: str) -> int:
        if name not in fields:
            fields.append(name)
        return fields.index(name)

    for col in columns:
        acc = col.accessor or col.name
        if callable(acc):
            if sample is None:
                sample = queryset.first()
            if sample is not None:
                probe = _Probe(sample)
                try:
                    acc(probe)
                except Exception:
                    return None
                if not probe._seen <= attnames:
                    return None
                names = sorted(probe._seen)
            else:
                names = []
            idx = [need(n) for n in names]
            getters.append(
                lambda row, acc=acc, names=names, idx=idx: acc(
                    _Row({n: row[i] for n, i in zip(names, idx, strict=True)})
                )
            )
            continue
        if acc.startswith("get_") and acc.endswith("_display") and acc[4:-8] in concrete:
            f = concrete[acc[4:-8]]
            labels = {k: str(v) for k, v in f.flatchoices}
            i = need(f.attname)
            getters.append(lambda row, i=i, labels=labels: labels.get(row[i], row[i]))
            continue
        f = concrete.get(acc)
        if f is None:
            return None
        if f.is_relation:
            i = need(f.attname)
            cache: dict[Any, str] = {}
            related = f.related_model._default_manager  # type: ignore[union-attr]

            def label(row: tuple, i: int = i, cache: dict = cache, related: Any = related) -> Any:
                key = row[i]
                if key is None:
                    return None
                if key not in cache:
                    cache[key] = str(related.filter(pk=key).first() or "")
                return cache[key]

            getters.append(label)
            continue
        i = need(f.attname)
        getters.append(lambda row, i=i: row[i])
    return fields, getters


def export_rows(queryset: models.QuerySet, columns: list[Any]) -> Iterator[list[Any]]:
    """Row values for the columns, in the queryset's order, streamed in chunks."""
    plan = _plan(queryset, columns)
    if plan is None:
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield [c.value(obj) for c in columns]
        return
    fields, getters = plan
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        yield [g(row) for g in getters]


# --- XLSX ---------------------------------------------------------------------------------------
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def _xml_cell(value: Any) -> str:
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal) and math.isfinite(value):
        return f"<c><v>{value}</v></c>"
    if isinstance(value, datetime | date):
        value = value.isoformat(" ") if isinstance(value, datetime) else value.isoformat()
    # A typed string cell is data, never a formula (only <f> elements are evaluated).
    text = _ILLEGAL.sub("", value if type(value) is str else str(value))[:32767]
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def write_xlsx(out: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> int:
    """Write a one-sheet workbook; returns the number of data rows."""
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, xml in _PARTS.items():
            zf.writestr(name, xml)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            buf = ["<row>" + "".join(_xml_cell(h) for h in header) + "</row>"]
            for row in rows:
                buf.append("<row>" + "".join(map(_xml_cell, row)) + "</row>")
                n += 1
                if len(buf) >= 1000:
                    sheet.write("".join(buf).encode())
                    buf = []
            sheet.write(("".join(buf) + "</sheetData></worksheet>").encode())
    return n


def xlsx_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> FileResponse:
    """Build the workbook in an anonymous temp file (flat memory) and stream it."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(tmp, header, rows)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
