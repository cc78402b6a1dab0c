"""SECURITY.md check 16: CSV export neutralises formula prefixes and keeps RFC 4180 quoting."""

import csv
import io

import pytest

from relasi.core import csvutil
from relasi.core.models import CustomField
from relasi.core.testing import client_for
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+1", "+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR", '=HYPERLINK("http://x")']
AWKWARD = 'Jakarta, "Selatan"\nBaris dua'


@pytest.mark.parametrize("value", FORMULAS)
def test_escape_cell(value):
    assert csvutil.escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "1-2", "a=b", "", "Ü"])
def test_harmless_cells_untouched(value):
    assert csvutil.escape_cell(value) == value


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline="")))


def test_export_escapes_formulas_and_quotes(personas):
    CustomField.objects.create(
        model_label="customers.person", key="remark", label="Remark", field_type="text"
    )
    made = []
    for i, formula in enumerate(FORMULAS):
        c = person(personas.rep, f"Row{i}", "Export", emails=[])
        Customer.objects.filter(pk=c.pk).update(
            city=AWKWARD if i == 0 else formula, custom={"remark": formula}
        )
        made.append(c)
    evil = person(personas.rep, "=cmd|' /C calc'!A0", "", emails=[])
    response = client_for(personas.rep).get(
        "/customers/people/export/", {"cols": "name,city,cf_remark"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = _rows(response)
    assert rows[0] == ["Name", "City", "Remark"]
    assert len(rows) == len(made) + 2
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Row0 Export"][1] == AWKWARD  # quoted comma, quote and newline survive
    for i, formula in enumerate(FORMULAS):
        row = by_name[f"Row{i} Export"]
        assert row[2] == "'" + formula
        if i:
            assert row[1] == "'" + formula
    assert any(r[0].startswith("'=cmd") for r in rows[1:]), evil
    for row in rows:
        for cell in row:
            assert not cell.startswith(tuple(csvutil.FORMULA_PREFIXES))


def test_export_is_audited_without_data(personas):
    from relasi.core.models import AuditEvent

    person(personas.rep, "Audit", "Export")
    b"".join(client_for(personas.rep).get("/customers/people/export/").streaming_content)
    event = AuditEvent.objects.filter(action="export").get()
    assert event.actor == personas.rep
    assert "Audit" not in str(event.changes)
