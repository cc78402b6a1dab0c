"""`manage.py apply_retention [--dry-run] [--policy ID ...]`: apply the active retention
policies now (or only count with --dry-run) and print the report. Idempotent — anonymised rows
no longer match and deleted rows are gone — so it is safe from cron every night, e.g.
  0 2 * * *  cd /srv/relasi && .venv/bin/python manage.py apply_retention
"""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.privacy.choices import RetentionTrigger
from relasi.privacy.retention import run_now


class Command(BaseCommand):
    help = "Apply the active retention policies (anonymise or delete old records) and report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")
        parser.add_argument(
            "--policy", type=int, action="append", help="Only this policy id (repeatable)."
        )
        parser.add_argument(
            "--start-background",
            action="store_true",
            help="Also start the nightly background chain (needs `make worker`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = run_now(
            None, options["policy"], dry_run=options["dry_run"], trigger=RetentionTrigger.COMMAND
        )
        for part in run.report:
            reasons = "; ".join(f"{k}: {v}" for k, v in part["reasons"].items())
            self.stdout.write(
                f"{part['record_type']} {part['action']} >{part['months']}m "
                f"matched={part['matched']} anonymised={part['anonymised']} "
                f"deleted={part['deleted']} skipped={part['skipped']} "
                f"seconds={part['seconds']}" + (f" ({reasons})" if reasons else "")
            )
        self.stdout.write(f"run {run.pk}{' (dry run)' if run.dry_run else ''}: {run.status}")
        if options["start_background"]:
            from relasi.privacy.tasks_retention import ensure_nightly

            self.stdout.write(
                "nightly chain started"
                if ensure_nightly()
                else "nightly chain not started (running already, or the task backend cannot defer)"
            )
