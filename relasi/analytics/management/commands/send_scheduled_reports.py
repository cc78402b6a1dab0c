"""E-mail the scheduled reports that are due (cron: every 15 minutes)."""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.analytics import delivery


class Command(BaseCommand):
    help = "Send the scheduled reports whose time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"sent {delivery.send_due()} report(s)")
