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


def _snapshot():
    from relasi.customers.models import Address

    return (
        sorted(Customer.objects.values_list("id", "name", "first_name", "gender", "version", "updated_at", "primary_email", "primary_phone", "city", "search_text", "custom")),
        sorted(EmailAddress.objects.values_list("id", "customer_id", "email")),
        sorted(PhoneNumber.objects.values_list("id", "customer_id", "number")),
        sorted(Address.objects.values_list("id", "customer_id", "city")),
    )  # fmt: skip


def test_dry_run_writes_nothing_and_reports(personas):
    from relasi.integrations import actions
    from relasi.integrations.tests.helpers import new_import

    rows = [
        HEADER,
        *people(3),
        ["", "x@example.test", "", "", "", "", ""],
        ["Bad", "nope", "12", "", "", "31/02/1990", "?"],
    ]
    job = new_import(personas.admin, csv_bytes(rows))
    before = _snapshot()
    actions.start_dry_run(personas.admin, job)
    job.refresh_from_db()
    assert _snapshot() == before and job.row_errors.count() == 0
    r = job.dry_run_result
    assert (job.status, r["total"], r["created"], r["rejected"]) == ("checked", 5, 3, 2)
    assert [e["line"] for e in r["errors"]] == [5, 6]
    assert "name is missing" in r["errors"][0]["reason"]
    assert "nope" in r["errors"][1]["reason"] and "12" in r["errors"][1]["reason"]


def test_bad_rows_never_stop_good_ones_and_error_csv(personas, as_user):
    import csv
    import io

    rows = [HEADER, *people(2), ["=cmd()", "bad@", "", "", "", "", ""], *people(2, start=5)]
    job = run_import(personas.admin, csv_bytes(rows))
    assert (job.created, job.rejected) == (4, 1)
    err = job.row_errors.get()
    assert err.line == 4 and err.raw[0] == "=cmd()"
    response = as_user(personas.admin).get(f"/integrations/imports/{job.pk}/errors.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    got = list(csv.reader(io.StringIO(text)))
    assert got[0] == [*HEADER, "import_line", "import_status", "import_message", "import_record"]
    assert got[1][0] == "'=cmd()" and got[1][len(HEADER) : len(HEADER) + 2] == ["4", "rejected"]
    assert "bad@" in got[1][len(HEADER) + 2]


@pytest.mark.parametrize("policy", ["skip", "update", "create"])
def test_duplicate_policies(personas, policy):
    from relasi.customers import actions as customer_actions

    existing = customer_actions.create_customer(
        personas.admin,
        "person",
        {"name": "Lama"},
        emails=["orang0@example.test"],
        phones_=["081200000009"],
    )
    rows = [HEADER, ["Orang Baru", "ORANG0@example.test", "", "Bandung", "", "", "P"],
            ["Lewat HP", "", "+62 812 0000 0009", "", "", "", ""], *people(1, start=1)]  # fmt: skip
    job = run_import(personas.admin, csv_bytes(rows), policy=policy)
    existing.refresh_from_db()
    if policy == "skip":
        assert (job.created, job.updated, job.skipped) == (1, 0, 2)
        assert existing.name == "Lama"
    elif policy == "update":
        assert (job.created, job.updated, job.skipped) == (1, 2, 0)
        assert (
            existing.name == "Lewat HP"
            and existing.gender == "female"
            and existing.city == "Kota Bandung"
        )
    else:
        assert (job.created, job.updated, job.skipped) == (3, 0, 0)
    assert Customer.objects.count() == 1 + job.created


def test_reimport_same_file_creates_no_duplicates(personas):
    data = csv_bytes([HEADER, *people(20)])
    run_import(personas.admin, data)
    again = run_import(personas.admin, data)
    assert (again.created, again.skipped) == (0, 20) and Customer.objects.count() == 20


def test_within_file_duplicates_are_caught(personas):
    job = run_import(personas.admin, csv_bytes([HEADER, *people(2), *people(2)]))
    assert (job.created, job.skipped) == (2, 2)


def test_undo_restores_exact_pre_import_state(personas, as_user):
    from relasi.core.models import AuditEvent
    from relasi.customers import actions as customer_actions

    customer_actions.create_customer(
        personas.admin, "person", {"name": "Lama", "gender": "male"}, emails=["orang0@example.test"]
    )
    before = _snapshot()
    job = run_import(
        personas.admin,
        csv_bytes(
            [
                HEADER,
                ["Baru", "orang0@example.test", "0812 1111 2222", "Medan", "", "", "P"],
                *people(5, 1),
            ]
        ),
        policy="update",
    )
    assert (job.created, job.updated) == (5, 1) and _snapshot() != before
    response = as_user(personas.admin).post(f"/integrations/imports/{job.pk}/undo/")
    assert response.status_code == 302
    assert _snapshot() == before
    job.refresh_from_db()
    assert job.status == "undone" and job.undone_at
    assert AuditEvent.objects.filter(message__startswith="import undone").exists()
    assert as_user(personas.admin).post(f"/integrations/imports/{job.pk}/undo/").status_code == 302
    assert _snapshot() == before


def test_update_respects_visibility(personas):
    from relasi.customers import actions as customer_actions

    theirs = customer_actions.create_customer(
        personas.other_rep, "person", {"name": "Milik B"}, emails=["orang0@example.test"]
    )
    job = run_import(personas.manager, csv_bytes([HEADER, *people(2)]), policy="update")
    assert (job.created, job.updated, job.rejected) == (1, 0, 1)
    assert "may not change" in job.row_errors.get().reason
    theirs.refresh_from_db()
    assert theirs.name == "Milik B"
