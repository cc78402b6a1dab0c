"""`manage.py check_data_requests`: one sweep of the data-subject request clocks — reminders to
the assignee 24 h and 48 h after receipt, an escalation to the administrators once overdue, and
the erasures whose grace period ended. Idempotent, safe from cron every few minutes."""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.privacy.dsr import check_clocks


class Command(BaseCommand):
    help = "Check data-subject request deadlines: remind at 24 h and 48 h, escalate when overdue."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = check_clocks()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
