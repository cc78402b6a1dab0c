"""Nightly: recompute every open lead's score (behavioural points decay with time, so scores
change without any edit). Cron, e.g. at 01:30 Asia/Jakarta:

    30 1 * * *  cd /srv/relasi && .venv/bin/python manage.py rescore_leads
"""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.sales import scoring


class Command(BaseCommand):
    help = "Recompute the score of every open lead (scoring rules and decay)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = scoring.rescore_all()
        self.stdout.write(f"{changed} lead scores changed")
