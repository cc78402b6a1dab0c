import datetime as dt

import pytest

from relasi.integrations import normalise as n


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
     ("62812.3456.7890", "+6281234567890"), ("(021) 555-1234", "+62215551234"),
     ("81234567890", "+6281234567890"), ("81234567890.0", "+6281234567890"),
     ("+44 20 7946 0958", "+442079460958"), ("0062 812 3456 7890", "+6281234567890"),
     ("+62 0812 3456 7890", "+6281234567890"), ("+62 (0) 812-3456-7890", "+6281234567890"),
     ("620812.3456.7890", "+6281234567890"), ("061 4567 890", "+62614567890")],
)  # fmt: skip
def test_phones_to_e164(raw, e164):
    assert n.phone(raw) == e164


@pytest.mark.parametrize("raw", ["12", "0812", "abc", "+62 000 0000 0000", "08123456789012345"])
def test_bad_phones(raw):
    with pytest.raises(n.CellError):
        n.phone(raw)


def test_emails():
    assert n.email("  Budi.Santoso@Example.CO.ID ") == "budi.santoso@example.co.id"
    for bad in ("budi@", "@x.id", "budi at x.id", "a@b"):
        with pytest.raises(n.CellError):
            n.email(bad)


@pytest.mark.parametrize(
    "raw",
    ["17/08/1990", "17-08-1990", "17.08.1990", "1990-08-17", "17 Agustus 1990", "17 Agu 1990",
     "17 agt 1990", "17-Agu-1990", "17 August 1990", "August 17, 1990", "17/08/90"],
)  # fmt: skip
def test_dates(raw):
    assert n.date(raw) == dt.date(1990, 8, 17)


def test_bad_dates():
    for raw in ("31/02/1990", "kemarin", "17 Foo 1990"):
        with pytest.raises(n.CellError):
            n.date(raw)


@pytest.mark.parametrize(
    ("raw", "day"), [("19970101", dt.date(1997, 1, 1)), ("20240229", dt.date(2024, 2, 29)),
                     ("17081990", dt.date(1990, 8, 17))],
)  # fmt: skip
def test_compact_dates(raw, day):
    assert n.date(raw) == day


@pytest.mark.parametrize(
    "raw", ["31/02/1990", "19970231", "2023-02-29", "32 Agustus 1990", "30/13/1990"]
)
def test_impossible_dates_are_not_real(raw):
    with pytest.raises(n.CellError, match="is not a real date"):
        n.date(raw)


@pytest.mark.parametrize("raw", ["kemarin", "17 Foo 1990", "1997010", "12/2020"])
def test_garbage_is_not_understood(raw):
    with pytest.raises(n.CellError, match="not a date we understand"):
        n.date(raw)


def test_birth_dates_cannot_be_in_the_future():
    today = dt.date(2026, 12, 3)
    assert n.birth_date("03/12/2026", today) == today
    with pytest.raises(n.CellError, match="future"):
        n.birth_date("04/12/2026", today)


def test_genders():
    assert {n.gender(x) for x in ("L", "laki-laki", "Pria", "M", "male")} == {"male"}
    assert {n.gender(x) for x in ("P", "Perempuan", "wanita", "F", "female")} == {"female"}
    with pytest.raises(n.CellError):
        n.gender("?")


def test_places():
    assert n.province("Jabar") == "Jawa Barat"
    assert n.province("jakarta") == "DKI Jakarta"
    assert n.province("Sumatra Utara") == "Sumatera Utara"
    assert n.city("Bandung") == ("Kota Bandung", "Jawa Barat")
    assert n.city("Kab. Bogor") == ("Kab. Bogor", "Jawa Barat")
    assert n.city("Kabupaten Bogor") == ("Kab. Bogor", "Jawa Barat")
    assert n.city("Jogja") == ("Kota Yogyakarta", "DI Yogyakarta")
    assert n.city("desa antah") == ("Desa Antah", "")
