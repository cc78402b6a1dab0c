"""Bring the data mart up to date (cron: every 15 minutes; nightly with --full if you like)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relasi.analytics import mart


class Command(BaseCommand):
    help = "Refresh the analytics data mart (incrementally unless --full)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="Rebuild every table from scratch.")

    def handle(self, *args: Any, **options: Any) -> None:
        log = mart.refresh(full=options["full"], trigger="command")
        if log.status == "failed":
            raise CommandError(log.error)
        self.stdout.write(
            f"{log.status}: generation {log.generation}, {log.seconds or 0:.2f} s, rows {log.rows}"
        )
