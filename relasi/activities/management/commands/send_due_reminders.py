"""`relasi send_due_reminders`: deliver every reminder whose time has come and that was not
sent yet. Idempotent: run it from cron every minute (see docs/activities.md)."""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.activities.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send all due reminders that were not sent yet (safe to run every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders()
        if options["verbosity"] > 0:
            self.stdout.write(f"{sent} reminder(s) sent.")
