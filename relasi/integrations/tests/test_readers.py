import io

import pytest
from django.core.exceptions import ValidationError

from relasi.integrations import readers
from relasi.integrations.tests.helpers import xlsx_bytes

ROWS = [["Nama", "Kota"], ["Budi Santoso", "Bandung"], ["Siti Ñurhaliza", "Médan"]]


def _csv(rows, delimiter=",", encoding="utf-8", bom=False):
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("cp1252", False, "cp1252")],
)
def test_detects_delimiter_and_encoding(delimiter, encoding, bom, expected):
    fh = io.BytesIO(_csv(ROWS, delimiter, encoding, bom))
    info = readers.inspect(fh, "csv")
    assert (info.delimiter, info.encoding) == (delimiter, expected)
    assert info.headers == ["Nama", "Kota"]
    assert info.preview[1] == ["Siti Ñurhaliza", "Médan"]


def test_latin1_fallback_never_fails():
    data = "Nama,Kota\r\nA\x81\x8d,B\r\n".encode("latin-1")  # bytes cp1252 cannot decode
    assert readers.detect_encoding(io.BytesIO(data)) == "latin-1"


def test_quoted_newlines_report_the_physical_start_line():
    data = b'Nama,Catatan\r\n"Budi","two\r\nlines"\r\n"Siti","x"\r\n\r\n"Agus","three\nline\nnote"\r\n"Dewi","y"\r\n'
    got = list(readers.records(io.BytesIO(data), "csv", "utf-8", ","))
    assert [(line, cells[0]) for line, cells in got] == [
        (1, "Nama"), (2, "Budi"), (4, "Siti"), (6, "Agus"), (9, "Dewi")
    ]  # fmt: skip
    assert got[1][1][1] == "two\r\nlines"


def test_xlsx_rows_and_values():
    import datetime as dt

    data = xlsx_bytes([["Nama", "HP", "Lahir"], ["Budi", 81234567890, dt.datetime(1990, 8, 17)]])
    info = readers.inspect(io.BytesIO(data), "xlsx")
    assert info.headers == ["Nama", "HP", "Lahir"]
    assert info.preview == [["Budi", "81234567890", "1990-08-17"]]


def test_empty_and_headerless_files_are_a_clean_error():
    for data in (b"", b"\r\n\r\n", b",,,\r\n"):
        with pytest.raises(ValidationError):
            readers.inspect(io.BytesIO(data), "csv")
    with pytest.raises(ValidationError):
        readers.inspect(io.BytesIO(b"PK\x03\x04garbage"), "xlsx")
