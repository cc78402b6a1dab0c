"""Label the customer messages that have no sentiment yet (those stored before it existed)."""

from typing import Any

from django.core.management.base import BaseCommand

from relasi.conversations import sentiment_routing


class Command(BaseCommand):
    help = "Label customer messages that have no sentiment yet and update their conversations."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, batch: int = 500, **options: Any) -> None:
        found = sentiment_routing.backfill(batch=max(1, batch))
        self.stdout.write(
            f"{found['messages']} messages labelled, {found['conversations']} conversations updated"
        )
