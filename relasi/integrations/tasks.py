"""Thin task wrappers (house style): take ids, call the engine."""

from django.tasks import task
from django.utils import timezone

from relasi.core import jobs
from relasi.integrations import engine
from relasi.integrations.choices import ImportStatus
from relasi.integrations.models import ImportJob


@task()
def run_import(import_id: int, job_id: str, dry_run: bool = False) -> None:
    with jobs.running(job_id) as job:
        try:
            done = engine.run(import_id, dry_run=dry_run)
        except engine.Superseded:
            return
        except engine.SimulatedCrash:
            raise
        except Exception as exc:
            ImportJob.objects.filter(pk=import_id).update(
                status=ImportStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
            raise
        jobs.progress(
            job,
            done.total if not dry_run else done.dry_run_result.get("total", 0),
            done.total or None,
        )
        job.result = {
            "created": done.created,
            "updated": done.updated,
            "skipped": done.skipped,
            "rejected": done.rejected,
        }
