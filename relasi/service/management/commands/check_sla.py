"""`manage.py check_sla`: one SLA sweep — mark breaches, warn agents, apply escalation rules.

Idempotent (every rule applies at most once per ticket), so it is safe from cron every few
minutes, e.g.  */5 * * * *  cd /srv/relasi && .venv/bin/python manage.py check_sla
"""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.service.actions.escalation import check_sla


class Command(BaseCommand):
    help = "Check SLA clocks: mark breaches, warn assignees, apply escalation rules (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--start-background",
            action="store_true",
            help="Also start the self-rescheduling background sweep (needs `make worker`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = check_sla()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
        if options["start_background"]:
            from relasi.service.tasks import ensure_sla_sweep

            started = ensure_sla_sweep()
            self.stdout.write(
                "background sweep started"
                if started
                else "background sweep not started (running already, or the task backend cannot defer)"
            )
