"""Issue #19, importer: a bad phone keeps its row (flagged or dropped, with a warning and its
line), notes and tags columns, organisations named in the file, duplicates listed with what
they matched, dates (YYYYMMDD, impossible, future), and the report file's columns."""

import csv
import io

import pytest

from relasi.core.models import Tag
from relasi.customers import actions as customer_actions
from relasi.customers.models import Customer, Membership, PhoneNumber
from relasi.integrations import actions
from relasi.integrations.tests.helpers import csv_bytes, new_import

pytestmark = pytest.mark.django_db(transaction=True)

HEAD = ["Nama", "Surel", "No. HP", "Perusahaan", "Catatan", "Label", "Tanggal lahir"]


def _run(user, rows, **options):
    job = new_import(user, csv_bytes(rows))
    actions.set_mapping(user, job, job.mapping, options.pop("policy", "skip"), None, **options)
    actions.start_import(user, job)
    job.refresh_from_db()
    return job


def _report(client, job):
    response = client.get(f"/integrations/imports/{job.pk}/errors.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_suggested_targets_for_notes_tags_and_company(personas):
    job = new_import(personas.admin, csv_bytes([HEAD, ["Budi", "", "", "", "", "", ""]]))
    assert job.mapping == {
        "0": "name", "1": "emails", "2": "phones", "3": "company", "4": "background",
        "5": "tags", "6": "date_of_birth",
    }  # fmt: skip


def test_bad_phone_keeps_the_row_flagged_with_a_warning(personas, as_user):
    rows = [HEAD, ["Ani", "ani@example.test", "0812-3456-7890; 12345", "", "", "", ""],
            ["Budi", "budi@example.test", "+62 000 1", "", "", "", ""]]  # fmt: skip
    job = _run(personas.admin, rows)
    assert (job.created, job.rejected, job.warnings) == (2, 0, 2)
    ani = Customer.objects.get(name="Ani")
    assert ani.primary_phone == "+6281234567890"
    assert sorted(ani.phones.values_list("number", "is_valid", "is_primary")) == [
        ("+6281234567890", True, True),
        ("12345", False, False),
    ]
    budi = Customer.objects.get(name="Budi")
    assert budi.primary_phone == "" and budi.phones.get().is_valid is False
    warning = job.row_errors.get(kind="warning", line=2)
    assert "12345" in warning.reason and warning.object_id == ani.pk
    client = as_user(personas.admin)
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'id="warning-rows"' in html and "12345 is not a valid phone number" in html
    assert ani.get_absolute_url() in html
    report = _report(client, job)
    assert report[0][-4:] == ["import_line", "import_status", "import_message", "import_record"]
    assert [r[-4:-2] for r in report[1:]] == [["2", "warning"], ["3", "warning"]]
    assert report[1][-1].endswith(ani.get_absolute_url())
    # the person page flags it; editing the record keeps it (still flagged) without an error
    assert "invalid number" in client.get(ani.get_absolute_url()).content.decode()
    customer_actions.update_customer(
        personas.admin, ani, {"occupation": "Guru"}, phones_=["+6281234567890", "12345"]
    )
    assert ani.phones.filter(is_valid=False).count() == 1


def test_bad_phone_dropped_by_option(personas):
    rows = [HEAD, ["Ani", "ani@example.test", "12345", "", "", "", ""]]
    job = _run(personas.admin, rows, invalid_phones="drop")
    assert (job.created, job.warnings) == (1, 1)
    assert PhoneNumber.objects.count() == 0
    assert "left out" in job.row_errors.get().reason


def test_flagged_phones_never_match_duplicates(personas):
    rows = [HEAD, ["Ani", "", "12345", "", "", "", ""], ["Ana", "", "12345", "", "", "", ""]]
    job = _run(personas.admin, rows)
    assert job.created == 2 and job.skipped == 0


def test_notes_and_tags_columns(personas):
    Tag.objects.create(name="VIP")
    rows = [HEAD, ["Ani", "ani@example.test", "", "", "Suka diskon\nTelepon sore", "vip; Jakarta, Reseller", ""]]  # fmt: skip
    job = _run(personas.admin, rows)
    ani = Customer.objects.get(name="Ani")
    assert ani.background == "Suka diskon\nTelepon sore"
    assert sorted(ani.tags.values_list("name", flat=True)) == ["Jakarta", "Reseller", "VIP"]
    assert Tag.objects.filter(name__iexact="vip").count() == 1
    # update: imported notes overwrite, tags are added; undo restores both exactly
    rows = [HEAD, ["Ani", "ani@example.test", "", "", "Pindah ke Bogor", "Loyal", ""]]
    job2 = _run(personas.admin, rows, policy="update")
    ani.refresh_from_db()
    assert job2.updated == 1 and ani.background == "Pindah ke Bogor"
    assert "Loyal" in ani.tags.values_list("name", flat=True)
    actions.undo_import(personas.admin, job2)
    ani.refresh_from_db()
    assert ani.background == "Suka diskon\nTelepon sore" and ani.tags.count() == 3
    assert job.created == 1


def test_missing_organisations_are_created_once_and_warned(personas, as_user):
    existing = customer_actions.create_customer(personas.admin, "organization", {"name": "PT Ada"})
    rows = [HEAD, ["Ani", "", "", "PT Ada", "", "", ""], ["Budi", "", "", "CV Baru", "", "", ""],
            ["Citra", "", "", "cv baru", "", "", ""]]  # fmt: skip
    job = _run(personas.admin, rows)
    new = Customer.objects.get(kind="organization", name="CV Baru")
    assert new.source == "import" and new.owner == personas.admin
    memberships = dict(Membership.objects.values_list("person__name", "organization_id"))
    assert memberships == {"Ani": existing.pk, "Budi": new.pk, "Citra": new.pk}
    warnings = list(job.row_errors.filter(kind="warning").values_list("line", "reason"))
    assert warnings == [(3, "Organisation CV Baru did not exist; it was created.")]
    actions.undo_import(personas.admin, job)
    assert not Customer.objects.filter(name="CV Baru").exists()
    assert Customer.objects.filter(pk=existing.pk).exists()


def test_missing_organisations_warn_per_line_when_not_created(personas):
    rows = [HEAD, ["Budi", "", "", "CV Baru", "", "", ""], ["Citra", "", "", "CV Baru", "", "", ""]]
    job = _run(personas.admin, rows, create_organisations=False)
    assert job.created == 2 and not Customer.objects.filter(kind="organization").exists()
    lines = list(job.row_errors.filter(kind="warning").values_list("line", flat=True))
    assert lines == [2, 3]


def test_duplicates_are_listed_with_what_they_matched(personas, as_user):
    old = customer_actions.create_customer(
        personas.admin, "person", {"first_name": "Ani"}, emails=["ani@example.test"]
    )
    rows = [HEAD, ["Ani S", "ANI@example.test", "", "", "", "", ""],
            ["Budi", "budi@example.test", "0812-1111-2222", "", "", "", ""],
            ["Budi lagi", "", "+62 812 1111 2222", "", "", "", ""]]  # fmt: skip
    job = _run(personas.admin, rows)
    budi = Customer.objects.get(name="Budi")
    dupes = list(job.row_errors.filter(kind="duplicate").values_list("line", "object_id", "reason"))
    assert dupes == [
        (2, old.pk, "Matches an existing record (same e-mail ani@example.test)."),
        (4, budi.pk, "Repeats line 3 of this file (same phone +6281211112222)."),
    ]
    html = as_user(personas.admin).get(job.get_absolute_url()).content.decode()
    assert 'id="duplicate-rows"' in html and old.get_absolute_url() in html
    # someone who may not see the matched record gets the reason, not the link
    from relasi.integrations import reports

    hidden = reports.listed(personas.other_rep, job, "duplicate")
    assert (hidden[0]["line"], hidden[0]["url"], hidden[0]["object_id"]) == (2, "", None)
    assert reports.listed(personas.admin, job, "duplicate")[0]["url"] == old.get_absolute_url()


def test_dry_run_lists_warnings_and_duplicates(personas, as_user):
    rows = [HEAD, ["Ani", "ani@example.test", "999", "CV Baru", "", "", ""],
            ["Ani 2", "ani@example.test", "", "", "", "", ""]]  # fmt: skip
    job = new_import(personas.admin, csv_bytes(rows))
    actions.start_dry_run(personas.admin, job)
    job.refresh_from_db()
    result = job.dry_run_result
    assert Customer.objects.count() == 0
    assert [w["line"] for w in result["warnings"]] == [2] and result["warned"] == 1
    assert "999" in result["warnings"][0]["reason"] and "CV Baru" in result["warnings"][0]["reason"]
    assert result["duplicates"][0]["reason"].startswith("Repeats line 2")
    html = as_user(personas.admin).get(job.get_absolute_url()).content.decode()
    assert 'id="dry-warnings"' in html and 'id="dry-duplicates"' in html
    assert "1 row would be imported with a warning." in html


def test_dates_compact_impossible_and_future(personas):
    rows = [HEAD, ["A", "", "", "", "", "", "19970101"], ["B", "", "", "", "", "", "31/02/1990"],
            ["C", "", "", "", "", "", "kemarin"], ["D", "", "", "", "", "", "01/01/2999"]]  # fmt: skip
    job = _run(personas.admin, rows)
    assert str(Customer.objects.get(name="A").date_of_birth) == "1997-01-01"
    reasons = dict(job.row_errors.filter(kind="rejected").values_list("line", "reason"))
    assert reasons[3] == "31/02/1990 is not a real date."
    assert reasons[4] == "kemarin is not a date we understand."
    assert "future" in reasons[5]


def test_api_lists_reports_by_kind(personas, as_user):
    rows = [HEAD, ["Ani", "ani@example.test", "12345", "", "", "", ""],
            ["Ani 2", "ani@example.test", "", "", "", "", ""], ["", "x@example.test", "", "", "", "", ""]]  # fmt: skip
    job = _run(personas.admin, rows)
    client = as_user(personas.admin)
    url = f"/api/v1/integrations/imports/{job.pk}/errors"
    assert [e["line"] for e in client.get(url).json()] == [4]
    warning = client.get(url, {"kind": "warning"}).json()
    assert warning[0]["object_id"] == Customer.objects.get(name="Ani").pk
    assert [e["kind"] for e in client.get(url, {"kind": "all"}).json()] == [
        "warning", "duplicate", "rejected"
    ]  # fmt: skip
    assert client.get(url, {"offset": -200}).status_code == 200
    status = client.get(f"/api/v1/integrations/imports/{job.pk}").json()
    assert (status["warnings"], status["invalid_phones"]) == (1, "keep")


def test_refused_mapping_shows_what_the_user_chose(personas, as_user):
    job = new_import(
        personas.admin, csv_bytes([HEAD, ["Ani", "a@example.test", "", "", "", "", ""]])
    )
    suggested = dict(job.mapping)
    client = as_user(personas.admin)
    form = {"col_0": "name", "col_1": "name", "col_2": "phones", "policy": "update",
            "invalid_phones": "drop", "step": "dry_run"}  # fmt: skip
    response = client.post(job.get_absolute_url(), form)
    html = response.content.decode()
    assert response.status_code == 400 and "more than one column" in html
    assert '<select class="form-select form-select-sm" name="col_1"' in html
    col_1 = html.split('name="col_1"')[1].split("</select>")[0]
    assert '<option value="name" selected>' in col_1
    col_4 = html.split('name="col_4"')[1].split("</select>")[0]
    assert " selected" not in col_4  # the user chose "do not import" for Catatan
    assert '<option value="update" selected>' in html and '<option value="drop" selected>' in html
    job.refresh_from_db()
    assert job.mapping == suggested and job.policy == "skip"  # nothing stored
    # a mapping that stores but cannot run (no name) also comes back as chosen
    response = client.post(job.get_absolute_url(), {"col_1": "emails", "col_4": "background",
                                                    "policy": "skip", "step": "dry_run"})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 400 and "Map a column to the name" in html
    col_0 = html.split('name="col_0"')[1].split("</select>")[0]
    assert " selected" not in col_0
    assert '<option value="background" selected>' in html.split('name="col_4"')[1]
