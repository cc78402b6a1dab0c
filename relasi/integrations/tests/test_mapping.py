import pytest

from relasi.core.models import CustomField
from relasi.integrations import targets


@pytest.mark.django_db
def test_suggests_indonesian_and_english_headers():
    headers = ["Nama depan", "Nama belakang", "Surel", "No. HP", "WhatsApp", "Telepon 2",
               "Perusahaan", "Alamat", "Kota", "Kabupaten", "Provinsi", "Kode pos", "Kecamatan",
               "Kelurahan", "Tanggal lahir", "Jenis kelamin", "Catatan aneh"]  # fmt: skip
    m = targets.suggest(headers, targets.get("people").fields())
    got = {headers[int(i)]: k for i, k in m.items()}
    assert got["Nama depan"] == "first_name" and got["Nama belakang"] == "last_name"
    assert got["Surel"] == "emails"
    assert got["No. HP"] == got["WhatsApp"] == got["Telepon 2"] == "phones"  # multi-value
    assert got["Perusahaan"] == "company" and got["Alamat"] == "street"
    assert got["Kota"] == "city" and "Kabupaten" not in got  # one column per single field
    assert (got["Provinsi"], got["Kode pos"], got["Kecamatan"], got["Kelurahan"]) == (
        "province", "postal_code", "kecamatan", "kelurahan"
    )  # fmt: skip
    assert (got["Tanggal lahir"], got["Jenis kelamin"]) == ("date_of_birth", "gender")
    assert "Catatan aneh" not in got


@pytest.mark.django_db
def test_numbered_columns_fuzzy_headers_and_custom_fields():
    CustomField.objects.create(model_label="customers.person", key="member_no", label="Member number",
                               label_id="Nomor anggota", field_type="text")  # fmt: skip
    headers = [
        "Name",
        "Email 1",
        "Email 2",
        "Phone 1",
        "Phone 2",
        "Emial",
        "Nomor anggota",
        "Full nme",
    ]
    m = targets.suggest(headers, targets.get("people").fields())
    assert [m.get(str(i)) for i in range(len(headers))] == [
        "name",
        "emails",
        "emails",
        "phones",
        "phones",
        "emails",
        "cf:member_no",
        None,
    ]
