"""SECURITY.md check 22 on the import upload: clear 4xx, never 500, nothing stored."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relasi.integrations.models import ImportJob
from relasi.integrations.tests.helpers import HEADER, csv_bytes, people, xlsx_bytes


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    return out.getvalue()


CASES = [
    ("empty.csv", b""),
    ("contacts.exe", b"MZ\x90\x00"),
    ("contacts.csv", b"%PDF-1.4\x00\x00binary"),  # polyglot: a PDF named .csv
    ("contacts.xlsx", b"Nama,Kota\r\nBudi,Bandung\r\n"),  # CSV named .xlsx
    ("bomb.xlsx", None),
    ("headers-only.csv", b",,,\r\n"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), CASES)
def test_bad_uploads_are_4xx_never_500(personas, as_user, name, data):
    if data is None:
        data = _bomb()
    client = as_user(personas.admin)
    response = client.post(
        "/integrations/imports/new/", {"target": "people", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_oversize_is_refused(personas, as_user, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    data = csv_bytes([HEADER, *people(100)])
    response = as_user(personas.admin).post(
        "/integrations/imports/new/",
        {"target": "people", "file": SimpleUploadedFile("big.csv", data)},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_traversal_names_are_sanitised_and_stored_under_random_names(personas, as_user, settings):
    data = csv_bytes([HEADER, *people(1)])
    response = as_user(personas.admin).post(
        "/integrations/imports/new/",
        {"target": "people", "file": SimpleUploadedFile("../../etc/passwd.csv", data)},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.original_name == "passwd.csv"
    assert job.file.name.startswith("imports/") and "passwd" not in job.file.name
    assert str(settings.MEDIA_ROOT) in job.file.path


@pytest.mark.django_db
def test_xlsx_upload_through_the_wizard(personas, as_user):
    data = xlsx_bytes([HEADER, *people(2)])
    response = as_user(personas.admin).post(
        "/integrations/imports/new/",
        {"target": "people", "file": SimpleUploadedFile("c.xlsx", data)},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.file_format == "xlsx" and job.mapping["0"] == "name"


@pytest.mark.django_db
def test_import_needs_the_import_permission(personas, as_user):
    data = csv_bytes([HEADER, *people(1)])
    for user in (personas.rep, personas.readonly):  # Sales and Read-only have no "import"
        client = as_user(user)
        assert client.get("/integrations/imports/").status_code == 403
        response = client.post(
            "/integrations/imports/new/",
            {"target": "people", "file": SimpleUploadedFile("c.csv", data)},
        )
        assert response.status_code == 403
    assert ImportJob.objects.count() == 0
