"""Re-encrypt every registered sensitive field with the current key (the first of
RELASI_FIELD_KEYS), in batches; safe to run again. See docs/sensitive-fields.md."""

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relasi.core import crypto


class Command(BaseCommand):
    help = "Re-encrypt sensitive fields with the current RELASI_FIELD_KEYS key and report counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new Fernet key and stop."
        )
        parser.add_argument(
            "--show-derived-key",
            action="store_true",
            help="Print the key derived from SECRET_KEY (to keep it as an older key when "
            "setting RELASI_FIELD_KEYS for the first time) and stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(Fernet.generate_key().decode())
            return
        if options["show_derived_key"]:
            if not crypto.uses_derived_key():
                raise CommandError("RELASI_FIELD_KEYS is set: no key is derived from SECRET_KEY.")
            self.stdout.write(crypto.field_keys()[0])
            return
        if crypto.uses_derived_key():
            self.stderr.write(
                "RELASI_FIELD_KEYS is not set: using the key derived from SECRET_KEY."
            )
        batch = max(1, options["batch_size"])
        unreadable = 0
        for count in crypto.rotate_all(batch):
            unreadable += count.unreadable
            self.stdout.write(
                f"{count.key}: {count.rotated} rotated, {count.current} already current, "
                f"{count.unreadable} unreadable"
            )
        if unreadable:
            raise CommandError(
                f"{unreadable} values could not be decrypted with any configured key: keep the "
                "key they were written with in RELASI_FIELD_KEYS and run the command again."
            )
