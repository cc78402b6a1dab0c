"""Shared helpers for import tests: build uploads and run an import end to end (tasks run
immediately under the test settings)."""

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from relasi.integrations import actions
from relasi.integrations.models import ImportJob


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def upload(data: bytes, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_import(
    user: Any, data: bytes, name: str = "contacts.csv", target: str = "people"
) -> ImportJob:
    return actions.create_import(user, upload(data, name), target)


def run_import(
    user: Any, data: bytes, policy: str = "skip", name: str = "contacts.csv", **kw: Any
) -> ImportJob:
    job = new_import(user, data, name)
    actions.set_mapping(user, job, job.mapping, policy, kw.get("fuzzy"))
    actions.start_import(user, job)
    job.refresh_from_db()
    return job


HEADER = ["Nama", "Surel", "No. HP", "Kota", "Provinsi", "Tanggal lahir", "Jenis kelamin"]


def people(n: int, start: int = 0) -> list[list[str]]:
    return [
        [
            f"Orang {i}",
            f"orang{i}@example.test",
            f"0812{i:08d}",
            "Bandung",
            "Jabar",
            "17/08/1990",
            "L",
        ]
        for i in range(start, start + n)
    ]
