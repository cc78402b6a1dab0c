import pytest

from relasi.customers.models import Customer, EmailAddress, PhoneNumber
from relasi.integrations.models import ImportedRecord
from relasi.integrations.tests.helpers import HEADER, csv_bytes, people, run_import

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_creates_people_with_normalised_values(personas):
    data = csv_bytes([HEADER, *people(3)])
    job = run_import(personas.admin, data)
    assert (job.status, job.total, job.created, job.rejected) == ("done", 3, 3, 0)
    c = Customer.objects.get(primary_email="orang1@example.test")
    assert c.primary_phone == "+6281200000001"
    assert (c.city, c.province, c.gender, str(c.date_of_birth)) == (
        "Kota Bandung",
        "Jawa Barat",
        "male",
        "1990-08-17",
    )
    assert c.source == "import" and c.owner == personas.admin
    assert "orang 1" in c.search_text
    assert EmailAddress.objects.count() == PhoneNumber.objects.count() == 3
    assert ImportedRecord.objects.filter(import_job=job, object_id=c.pk, action="created").exists()
    assert job.job.status == "succeeded" and job.job.percent == 100
