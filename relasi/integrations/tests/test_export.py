import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from relasi.core.models import AuditEvent
from relasi.customers import actions as customer_actions


def _person(owner, name, email="", city=""):
    return customer_actions.create_customer(owner, "person", {"name": name}, emails=[email] if email else [],
                                            address={"city": city} if city else None)  # fmt: skip


@pytest.mark.django_db
def test_csv_export_escapes_formulas_respects_visibility_and_is_audited(personas, as_user):
    _person(personas.rep, '=HYPERLINK("http://x")', "a@example.test", "@SUM(1)")
    _person(personas.rep, "Budi", "b@example.test")
    _person(personas.other_rep, "Rahasia Tim B", "c@example.test")
    response = as_user(personas.rep).get("/customers/people/export/")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    names = [r[0] for r in rows[1:]]
    assert "Rahasia Tim B" not in text and "Budi" in names
    assert '\'=HYPERLINK("http://x")' in names
    assert any("'@SUM(1)" in r for r in rows)
    assert AuditEvent.objects.filter(action="export", actor=personas.rep).exists()


@pytest.mark.django_db
def test_xlsx_export_is_a_readable_workbook(personas, as_user):
    _person(personas.rep, "+cmd|' /C calc'!A0", "a@example.test", "Bandung")
    _person(personas.rep, "Siti \x01 Ñ <b>&", "b@example.test")
    _person(personas.other_rep, "Rahasia Tim B")
    customer_actions.create_customer(
        personas.rep, "person", {"name": "Nomor"}, phones_=["0812-3456-7890"]
    )
    response = as_user(personas.rep).get("/customers/people/export/?format=xlsx")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    sheet = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    # Typed string cells: no formula element anywhere, so no apostrophe is needed.
    assert "<f>" not in sheet and "<f " not in sheet and 't="inlineStr"' in sheet
    wb = load_workbook(io.BytesIO(body), read_only=True)
    values = [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert values[0][0] == "Name" or values[0][0] == "Nama"
    assert "+cmd|' /C calc'!A0" in flat and "Siti  Ñ <b>&" in flat
    assert not any(v.startswith("'") for v in flat)
    assert any(v.startswith("+62") and "812" in v for v in flat)
    assert not any("Rahasia" in v for v in flat)
    assert AuditEvent.objects.filter(action="export", message__startswith="XLSX").exists()


@pytest.mark.django_db
def test_exports_are_rate_limited(personas, as_user):
    client = as_user(personas.rep)
    codes = [client.get("/customers/people/export/").status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert int(client.get("/customers/people/export/")["Retry-After"]) > 0


@pytest.mark.django_db
def test_export_needs_permission(personas, as_user):
    from relasi.accounts.models import Role

    role = Role.objects.get(slug="readonly")
    assert "export" not in role.permissions.get("customers", [])
    assert as_user(personas.readonly).get("/customers/people/export/").status_code == 403
