"""Evaluate the administrators' event rules against the current mart snapshot (each crossing
alerts once). Runs after every mart refresh anyway; cron it to catch time-based rules
(VIP inactivity) between refreshes:  */30 * * * *  manage.py check_events
"""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Evaluate event rules (spend, P(alive), VIP inactivity, segment shrink) now."

    def handle(self, *args: Any, **opts: Any) -> None:
        from relasi.analytics import mart, monitoring

        try:
            n = monitoring.evaluate()
        except mart.MartMissing:
            self.stdout.write("no mart yet")
            return
        self.stdout.write(f"{n} new alerts")
