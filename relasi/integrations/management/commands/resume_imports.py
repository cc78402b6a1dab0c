"""Re-enqueue imports a killed worker left behind (fault F1). Run it when workers start
(`manage.py resume_imports && manage.py db_worker`); each import continues from its
watermark, so no row is lost or written twice."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from relasi.core import recovery
from relasi.integrations import actions
from relasi.integrations.choices import ImportStatus
from relasi.integrations.models import ImportJob
from relasi.integrations.tasks import run_import


class Command(BaseCommand):
    help = "Re-enqueue interrupted imports so they resume where they stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--stale-after",
            type=int,
            default=0,
            help="Only imports without progress for this many seconds (use >0 while other "
            "workers run; 0 at worker start-up, when nothing can still be running).",
        )

    def handle(self, *args: Any, stale_after: int = 0, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(seconds=stale_after)
        stale = ImportJob.objects.filter(status=ImportStatus.RUNNING).filter(
            Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True)
        )
        if stale_after == 0:
            stale = ImportJob.objects.filter(status__in=[ImportStatus.RUNNING, ImportStatus.QUEUED])
        # The one recovery mechanism first (core/recovery.py): task runs of dead workers go
        # back to the queue as they were. Only imports with no task run left are re-enqueued.
        recovery.sweep(stale_after=stale_after)
        pending = DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            task_path=run_import.module_path,
        ).values_list("args_kwargs", flat=True)
        waiting = {args["args"][0] for args in pending if args.get("args")}
        n = 0
        for job in stale:
            if job.pk in waiting:
                continue
            actions.resume(job)
            n += 1
            self.stdout.write(f"resumed import {job.pk} at row {job.rows_done}")
        self.stdout.write(f"{n} import(s) resumed")
