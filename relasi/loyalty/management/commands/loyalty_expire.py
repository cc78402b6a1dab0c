from typing import Any

from django.core.management.base import BaseCommand

from relasi.loyalty import expiry


class Command(BaseCommand):
    help = "Expire due loyalty points (once a day per programme; the worker sweep does it too)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(expiry.run_due()))
