"""`relasi seed` / `make seed`: the PT XYZ demo company. Runs only on an empty database
(or with --force on a database without users), so re-running `make run` never reseeds."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from relasi.accounts import demo as accounts_demo
from relasi.accounts.models import User
from relasi.activities import demo as activities_demo
from relasi.analytics import demo as analytics_demo
from relasi.commerce import demo as commerce_demo
from relasi.conversations import demo as conversations_demo
from relasi.customers import demo as customers_demo
from relasi.loyalty import demo as loyalty_demo
from relasi.marketing import demo as marketing_demo
from relasi.sales import demo as sales_demo
from relasi.service import demo as service_demo

# Each app that has demo data adds its seed function here, in dependency order.
SEEDERS = [
    accounts_demo.seed,
    customers_demo.seed,
    sales_demo.seed,
    activities_demo.seed,
    service_demo.seed,
    commerce_demo.seed,
    analytics_demo.seed,
    conversations_demo.seed,
    loyalty_demo.seed,
    marketing_demo.seed,
]


class Command(BaseCommand):
    help = (
        "Load the PT XYZ demo company (users in every role, customers, ...) into an empty database."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when users exist already."
        )
        parser.add_argument(
            "--small", action="store_true", help="A small data set (tests, quick demos)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Database has data already; demo not loaded.")
                return
            self.stderr.write("The database is not empty; refusing to add demo data to it.")
            raise SystemExit(1)
        ctx: dict[str, Any] = {"small": options["small"]}
        start = time.monotonic()
        with transaction.atomic():
            for seeder in SEEDERS:
                seeder(ctx)
        self.stdout.write(
            self.style.SUCCESS(f"Demo company PT XYZ loaded in {time.monotonic() - start:.1f} s.")
        )
        self.stdout.write((settings.VAR_DIR / "demo-credentials.txt").read_text())
