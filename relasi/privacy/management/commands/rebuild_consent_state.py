"""Recompute every customer's current consent from the append-only ledger."""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.privacy import consent


class Command(BaseCommand):
    help = "Rebuild the consent state table from the consent ledger (the ledger is the truth)."

    def handle(self, *args: Any, **options: Any) -> None:
        n = consent.rebuild_states()
        if options["verbosity"]:
            self.stdout.write(f"{n} consent states rebuilt from the ledger.")
