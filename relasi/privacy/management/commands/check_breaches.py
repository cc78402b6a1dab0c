"""`manage.py check_breaches`: one sweep of the breach notification clocks — reminders to the
privacy owners at 24 h and 48 h after discovery, an escalation once the 3 × 24-hour deadline of
UU PDP art. 46 has passed. Idempotent (each step is sent once per incident), so it is safe from
cron every few minutes, e.g.  */10 * * * *  cd /srv/relasi && .venv/bin/python manage.py check_breaches
"""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.privacy.breach import check_clocks


class Command(BaseCommand):
    help = "Check breach notification clocks: remind at 24 h and 48 h, escalate when overdue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--start-background",
            action="store_true",
            help="Also start the self-rescheduling background sweep (needs `make worker`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = check_clocks()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
        if options["start_background"]:
            from relasi.privacy.tasks_breach import ensure_sweep

            self.stdout.write(
                "background sweep started"
                if ensure_sweep()
                else "background sweep not started (running already, or the task backend cannot defer)"
            )
