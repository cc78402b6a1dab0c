"""Re-enqueue imports a killed worker left behind (fault F1). Run it when workers start
(`manage.py resume_imports && manage.py db_worker`); each import continues from its
watermark, so no row is lost or written twice."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from relasi.integrations import actions
from relasi.integrations.choices import ImportStatus
from relasi.integrations.models import ImportJob


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
        n = 0
        for job in stale:
            actions.resume(job)
            n += 1
            self.stdout.write(f"resumed import {job.pk} at row {job.rows_done}")
        self.stdout.write(f"{n} import(s) resumed")
