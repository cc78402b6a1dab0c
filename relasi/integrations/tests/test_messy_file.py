"""A file the way contact lists really arrive: Indonesian headers, a semicolon delimiter from
Excel, Windows-1252, phones with every prefix people write (0062, 62, +62, +62 (0), 08, 8),
numbers libphonenumber rejects, repeated rows, odd and impossible dates, notes with line
breaks, labels, companies that exist and ones that do not."""

import pytest

from relasi.customers import actions as customer_actions
from relasi.customers.models import Customer, Membership, PhoneNumber
from relasi.integrations.tests.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["Nama Lengkap", "No. HP", "Surel", "Tgl Lahir", "JK", "Kota", "Perusahaan",
          "Catatan", "Label"]  # fmt: skip
ROWS = [
    ["Siti Rahayu", "0062 812-1000-0001", "siti@contoh.co.id", "19970101", "P", "Bandung", "PT Maju", "Pelanggan lama", "VIP"],
    ["Agus Salim", "62 812 1000 0002", "AGUS@contoh.co.id ", "17-Agu-1990", "L", "Jaksel", "", "", "reseller; VIP"],
    ["Dewi Lestari", "+62 (0) 812 1000 0003", "", "17.08.90", "Wanita", "Kab. Bogor", "CV Baru", "Telepon sore\nJangan hari Jumat", ""],
    ["Budi Santoso", "0812-1000-0004", "budi@contoh.co.id", "31/02/1990", "L", "Surabaya", "", "", ""],
    ["Rina Kusuma", "08121000005 / 0000", "rina@contoh.co.id", "", "P", "Jogja", "cv baru", "", "Grosir"],
    ["Eko Prasetyo", "81210000006", "eko@contoh.co.id", "01/01/2999", "L", "", "", "", ""],
    ["Siti R.", "+62 812 1000 0001", "", "", "P", "", "", "", ""],  # same phone as Siti (line 2)
    ["Agus Salim", "", "agus@contoh.co.id", "", "L", "", "", "", ""],  # same e-mail as Agus (line 3)
    ["Wayan Sudarta", "12345", "wayan@contoh.co.id", "1 Januari 1985", "L", "Denpasar", "", "Kenalan pameran", ""],
    ["Made Ayu", "+62 361 123", "", "", "P", "", "", "", ""],
    ["Ketut", "0361-234567", "ketut@contoh", "", "X", "", "", "", ""],
    ["Lama Sekali", "0812 1000 0099", "lama@contoh.co.id", "", "", "", "", "", ""],
]  # fmt: skip


def test_a_messy_real_world_file(personas):
    customer_actions.create_customer(personas.admin, "organization", {"name": "PT Maju"})
    customer_actions.create_customer(
        personas.admin, "person", {"first_name": "Lama"}, phones_=["+6281210000099"]
    )
    data = csv_bytes([HEADER, *ROWS], delimiter=";", encoding="cp1252")
    job = run_import(personas.admin, data)
    assert job.encoding in ("cp1252", "windows-1252", "utf-8") and job.delimiter == ";"
    assert job.mapping == {
        "0": "name", "1": "phones", "2": "emails", "3": "date_of_birth", "4": "gender",
        "5": "city", "6": "company", "7": "background", "8": "tags",
    }  # fmt: skip
    reports = {(r.line, r.kind): r for r in job.row_errors.all()}
    # line numbers are physical lines: Dewi's two-line note makes her row lines 4-5
    # rejected: an impossible date, a future birth date, a bad e-mail with a bad gender
    rejected = sorted(line for line, kind in reports if kind == "rejected")
    assert rejected == [6, 8, 13]
    assert "not a real date" in reports[6, "rejected"].reason
    assert "future" in reports[8, "rejected"].reason
    assert "ketut@contoh" in reports[13, "rejected"].reason
    # duplicates: within the file by phone and by e-mail, and the existing "Lama" by phone
    dupes = sorted(line for line, kind in reports if kind == "duplicate")
    assert dupes == [9, 10, 14]
    assert reports[9, "duplicate"].reason.startswith("Repeats line 2")
    assert reports[10, "duplicate"].reason.startswith("Repeats line 3")
    assert reports[14, "duplicate"].reason.startswith("Matches an existing record")
    # every row whose only fault is a phone number is imported, with a warning on its line
    assert (job.created, job.skipped, job.rejected) == (6, 3, 3)
    warned = sorted(line for line, kind in reports if kind == "warning")
    assert warned == [4, 7, 11, 12]
    assert "0000" in reports[7, "warning"].reason and "12345" in reports[11, "warning"].reason
    assert "CV Baru did not exist" in reports[4, "warning"].reason
    siti = Customer.objects.get(name="Siti Rahayu")
    assert (siti.primary_phone, str(siti.date_of_birth), siti.city) == (
        "+6281210000001",
        "1997-01-01",
        "Kota Bandung",
    )
    assert list(siti.tags.values_list("name", flat=True)) == ["VIP"]
    agus = Customer.objects.get(name="Agus Salim")
    assert agus.primary_email == "agus@contoh.co.id" and agus.primary_phone == "+6281210000002"
    assert sorted(agus.tags.values_list("name", flat=True)) == ["VIP", "reseller"]
    dewi = Customer.objects.get(name="Dewi Lestari")
    assert dewi.primary_phone == "+6281210000003" and str(dewi.date_of_birth) == "1990-08-17"
    assert dewi.background == "Telepon sore\nJangan hari Jumat"
    rina = Customer.objects.get(name="Rina Kusuma")
    assert rina.primary_phone == "+628121000005"
    orgs = dict(Membership.objects.values_list("person__name", "organization__name"))
    assert orgs == {"Siti Rahayu": "PT Maju", "Dewi Lestari": "CV Baru", "Rina Kusuma": "CV Baru"}
    assert Customer.objects.filter(kind="organization", name__iexact="cv baru").count() == 1
    flagged = set(PhoneNumber.objects.filter(is_valid=False).values_list("number", flat=True))
    assert flagged == {"0000", "12345", "+62 361 123"}
    assert Customer.objects.get(name="Made Ayu").primary_phone == ""
