"""Issue #19: a background task killed mid-run is picked up again, never left "running 0 %".
These tests leave a task run and its Job as a `kill -9` leaves them (running, the worker's
heartbeat old or its process gone) and run the recovery sweep; test_recovery_kill.py does it
with a real `kill -9` of `manage.py db_worker`."""

import datetime as dt
import uuid

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from relasi.core import jobs, recovery
from relasi.core.choices import JobStatus
from relasi.core.models import Job, WorkerHeartbeat
from relasi.core.testing import client_for
from relasi.customers.models import Customer
from relasi.customers.tasks import scan_duplicates

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.RELASI_TASK_STALE_SECONDS = 120
    settings.RELASI_TASK_MAX_ATTEMPTS = 3
    return settings


def _killed_scan(owner, *, attempts: int = 1, beat_age: int = 600, host: str = "elsewhere"):
    """A duplicate scan as a killed worker leaves it: task run and Job running, progress 0."""
    job = jobs.start("duplicate_scan", owner, scan_duplicates, label="Duplicate scan")
    result = scan_duplicates.enqueue(str(job.pk))
    old = timezone.now() - dt.timedelta(seconds=beat_age)
    workers = [f"dead-{i}" for i in range(attempts)]
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=old, worker_ids=workers
    )
    WorkerHeartbeat.objects.create(
        worker_id=workers[-1], hostname=host, pid=999999, beat_at=old, task_id=result.id
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=old,
        heartbeat_at=old,
        task_id=result.id,
        attempts=attempts,
    )
    return job, result.id


def _people():
    for name in ("Ayu Lestari", "Ayu Lestari", "Budi Santoso"):
        Customer.objects.create(kind="person", name=name)


def test_killed_scan_is_requeued_and_finishes(db_tasks, personas):
    _people()
    job, task_id = _killed_scan(personas.admin)
    counts = recovery.sweep()
    assert counts["requeued"] == 1
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.READY
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "attempt 2 of 3" in job.message
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.percent == 100 and job.attempts == 2
    assert job.task_id == uuid.UUID(str(task_id))
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.SUCCESSFUL


def test_task_of_a_live_worker_is_left_alone(db_tasks, personas):
    job, task_id = _killed_scan(personas.admin, beat_age=5)
    assert recovery.sweep()["requeued"] == 0
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.RUNNING
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_dead_process_on_this_machine_is_recovered_at_once(db_tasks, personas):
    job, _task = _killed_scan(personas.admin, beat_age=1, host=recovery.HOSTNAME)
    assert recovery.sweep()["requeued"] == 1  # pid 999999 does not exist here
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_max_attempts_ends_in_a_visible_failure(db_tasks, personas):
    job, task_id = _killed_scan(personas.admin, attempts=3)
    assert recovery.sweep()["failed"] == 1
    run = DBTaskResult.objects.get(pk=task_id)
    assert run.status == TaskResultStatus.FAILED
    assert run.exception_class_path.endswith("recovery.WorkerLost")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "stopped without finishing it 3 times" in job.error
    page = client_for(personas.admin).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and b"3 times" in page.content


def test_orphaned_inline_job_fails_instead_of_running_forever(personas):
    old = timezone.now() - dt.timedelta(hours=1)
    job = Job.objects.create(
        kind="duplicate_scan", owner=personas.admin, status=JobStatus.RUNNING, started_at=old
    )
    fresh = Job.objects.create(
        kind="duplicate_scan",
        owner=personas.admin,
        status=JobStatus.RUNNING,
        started_at=old,
        heartbeat_at=timezone.now(),
    )
    assert recovery.sweep()["orphaned_jobs"] == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.RUNNING


def test_running_job_records_attempts_and_heartbeat(personas):
    job = Job.objects.create(kind="test", owner=personas.admin)
    with jobs.running(str(job.pk)):
        row = Job.objects.get(pk=job.pk)
        assert row.status == JobStatus.RUNNING and row.heartbeat_at is not None
        assert row.attempts == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


def test_beater_calls_back_until_stopped():
    import threading

    seen = threading.Event()
    beater = recovery.Beater(seen.set, 0.001).start()
    assert seen.wait(5)
    beater.stop()


def test_recover_tasks_command_prints_counts(db_tasks, personas, capsys):
    _killed_scan(personas.admin)
    call_command("recover_tasks")
    assert "requeued=1" in capsys.readouterr().out
    assert not django_mail.outbox
