"""Consent columns in an import reach the consent ledger with the import as their source; a
file without them records nothing; a cell that is neither yes nor no rejects its row."""

import pytest

from relasi.customers.models import Customer
from relasi.integrations.tests.helpers import csv_bytes, run_import
from relasi.privacy import consent
from relasi.privacy.models import ConsentEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_consent_columns_are_recorded_with_their_source(personas):
    data = csv_bytes([
        ["Nama", "Email", "No HP", "Izin email", "Izin WA", "Tanggal persetujuan"],
        ["Ani Satu", "ani@example.test", "081234560001", "Ya", "tidak", "17/08/2025"],
        ["Budi Dua", "budi@example.test", "081234560002", "", "", ""],
        ["Citra Tiga", "citra@example.test", "081234560003", "mungkin", "ya", ""],
    ])  # fmt: skip
    job = run_import(personas.admin, data)
    assert (job.created, job.rejected) == (2, 1)  # "mungkin" is neither: the row is reported
    ani = Customer.objects.get(primary_email="ani@example.test")
    assert consent.current_status(ani, "marketing", "email") == "granted"
    assert consent.current_status(ani, "marketing", "whatsapp") == "withdrawn"
    e = ConsentEvent.objects.get(customer=ani, channel="email")
    assert e.source == "import" and e.evidence == f"import #{job.pk}, line 2"
    assert e.occurred_at.date().isoformat() == "2025-08-17" and e.actor == personas.admin
    budi = Customer.objects.get(primary_email="budi@example.test")
    assert not ConsentEvent.objects.filter(customer=budi).exists()  # empty cells: nothing


def test_an_import_without_consent_columns_invents_nothing(personas):
    data = csv_bytes([["Nama", "Email"], ["Dewi Empat", "dewi@example.test"]])
    job = run_import(personas.admin, data)
    assert job.created == 1 and not ConsentEvent.objects.exists()
