"""`relasi setup`: migrate, create the cache table, collect static files (production), and —
only when asked — create the first administrator with a random password shown once."""

import secrets
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Prepare the database (migrate, cache table) and optionally create the first administrator."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--admin-email", help="Create an administrator with this e-mail (random password)."
        )
        parser.add_argument(
            "--collectstatic", action="store_true", help="Also collect static files."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if options["collectstatic"] or not (settings.DEBUG or settings.TESTING):
            call_command("collectstatic", interactive=False, verbosity=0)
        if email := options.get("admin_email"):
            from relasi.accounts.models import Role, User

            if User.objects.filter(email__iexact=email).exists():
                self.stdout.write(f"A user with {email} exists already; nothing created.")
                return
            password = secrets.token_urlsafe(12)
            User.objects.create_user(
                username=email.split("@")[0],
                email=email,
                password=password,
                role=Role.objects.filter(slug="administrator").first(),
                is_superuser=False,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Administrator {email} created. Password (shown once): {password}"
                )
            )
        self.stdout.write("Relasi database is ready.")
