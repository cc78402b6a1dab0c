"""`relasi sync_mailboxes`: fetch new mail of every active e-mail inbox that has an IMAP host
(or of one, `--inbox ID`). Safe to run from cron every minute; see docs/conversations.md."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from relasi.conversations import imap_sync


class Command(BaseCommand):
    help = "Fetch new messages of the e-mail inboxes over IMAP (all active ones, or --inbox ID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inbox", type=int, help="only this inbox (even when inactive)")

    def handle(self, *args: Any, **options: Any) -> None:
        results = imap_sync.sync_all(options.get("inbox"))
        failed = 0
        for pk, result in results.items():
            failed += bool(result.error)
            if options["verbosity"] > 0:
                line = f"inbox {pk}: {result.fetched} fetched, {result.stored} stored"
                self.stdout.write(line + (f" — {result.error}" if result.error else ""))
        if options["verbosity"] > 0 and not results:
            self.stdout.write("No e-mail inbox with an IMAP host.")
        if failed and len(results) == 1 and options.get("inbox"):
            raise SystemExit(1)
