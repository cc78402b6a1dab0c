"""Long-running work: a `Job` row the UI polls for progress, and a background task running it.

Usage in an app's tasks.py:

    @task()
    def import_file(job_id: str) -> None:
        with jobs.running(job_id) as job:
            for chunk in ...:
                jobs.progress(job, done, total)

and in an action: `job = jobs.start("import", user, run_import, label=..., params={...})`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from relasi.core import recovery
from relasi.core.choices import JobStatus
from relasi.core.models import Job


def start(kind: str, user: Any, task: Any, *, label: str = "", params: dict | None = None) -> Job:
    """Create the Job row and enqueue `task(job_id)` once the transaction commits."""
    job = Job.objects.create(
        kind=kind,
        owner=user if getattr(user, "pk", None) else None,
        label=label[:200],
        params=params or {},
    )
    transaction.on_commit(lambda: task.enqueue(str(job.pk)))
    return job


def progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["progress_total"] = total
    if message:
        fields["message"] = message[:300]
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)


@contextmanager
def running(job_id: str) -> Iterator[Job]:
    """Mark the job running; succeeded on normal exit, failed (with the reason) on error.
    Re-entering a job that was interrupted keeps its progress, so the task can resume.
    While it runs, a side thread keeps `heartbeat_at` fresh (core/recovery.py)."""
    job = Job.objects.get(pk=job_id)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=job.started_at or now,
        heartbeat_at=now,
        task_id=recovery.current_task.get(),
        attempts=F("attempts") + 1,
    )
    beater = recovery.Beater(
        lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            heartbeat_at=timezone.now()
        ),
        recovery.heartbeat_seconds(),
    ).start()
    try:
        yield job
    except Exception as exc:
        beater.stop()
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    else:
        beater.stop()
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=job.result,
            finished_at=timezone.now(),
            message=job.message,
        )
    finally:
        beater.stop()


def run_inline(fn: Callable[[str], Any], job: Job) -> None:
    """Run a job's function in-process (management commands, tests)."""
    fn(str(job.pk))
