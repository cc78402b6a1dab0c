"""Run the recovery sweep once (core/recovery.py): requeue or fail task runs whose worker
died, fail orphaned jobs, requeue due e-mails. Every `db_worker` already runs it; from cron
it also covers a machine whose workers are all down:

    */5 * * * *  cd /srv/relasi && .venv/bin/python manage.py recover_tasks
"""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.core import recovery


class Command(BaseCommand):
    help = "Requeue background tasks whose worker was killed; fail them after too many tries."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="Seconds without a worker heartbeat before a task counts as abandoned "
            "(default RELASI_TASK_STALE_SECONDS).",
        )

    def handle(self, *args: Any, stale_after: float | None = None, **options: Any) -> None:
        counts = recovery.sweep(stale_after=stale_after)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
