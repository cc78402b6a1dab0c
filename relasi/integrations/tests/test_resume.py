"""Fault F1 (kill the worker mid-import) and F9 (SQLite writer contention)."""

import pytest

from relasi.customers.models import Customer, EmailAddress
from relasi.integrations import actions, engine
from relasi.integrations.models import ImportedRecord
from relasi.integrations.tests.helpers import HEADER, csv_bytes, new_import, people

pytestmark = pytest.mark.django_db(transaction=True)
N = 5_500  # six chunks, the last one partial


def _assert_complete(job):
    job.refresh_from_db()
    assert job.status == "done" and job.rows_done == job.total == N
    assert Customer.objects.count() == N == job.created
    assert EmailAddress.objects.values("email").distinct().count() == N  # 0 duplicates
    assert ImportedRecord.objects.filter(import_job=job).count() == N
    assert job.job.percent == 100


def test_crash_mid_import_then_resume_loses_and_duplicates_nothing(personas, monkeypatch):
    job = new_import(personas.admin, csv_bytes([HEADER, *people(N)]))
    actions.set_mapping(
        personas.admin, job, job.mapping, "create"
    )  # "create": a re-written row would be a duplicate
    monkeypatch.setattr(engine, "crash_after_chunks", 2)
    actions.start_import(personas.admin, job)  # the task "dies" after two chunks
    job.refresh_from_db()
    assert (job.status, job.rows_done, Customer.objects.count()) == ("running", 2000, 2000)
    monkeypatch.setattr(engine, "crash_after_chunks", 1)
    actions.resume(job)
    job.refresh_from_db()
    assert job.rows_done == Customer.objects.count() == 3000
    monkeypatch.setattr(engine, "crash_after_chunks", None)
    from django.core.management import call_command

    call_command("resume_imports")  # what a restarted worker runs first
    _assert_complete(job)


def test_two_runs_of_one_import_never_write_a_chunk_twice(personas, monkeypatch):
    from relasi.integrations import targets
    from relasi.integrations.models import ImportJob

    job = new_import(personas.admin, csv_bytes([HEADER, *people(N)]))
    actions.set_mapping(personas.admin, job, job.mapping, "create")
    target = targets.get("people")
    original = target.begin

    def begin_then_lose_the_race(job, *, dry_run):
        ctx = original(job, dry_run=dry_run)
        ImportJob.objects.filter(pk=job.pk).update(rows_done=1000)  # another worker's chunk
        return ctx

    monkeypatch.setattr(target, "begin", begin_then_lose_the_race)
    with pytest.raises(engine.Superseded):
        engine.run(job.pk)
    assert Customer.objects.count() == 0  # the slower run wrote nothing
