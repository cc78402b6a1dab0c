"""DSR export benchmark: one customer with N timeline events (default 10,000 notes plus 1,000
activities) exported as the full access/portability package (`privacy.export.to_json`: every
section, the 360° timeline, the processing trail), against a baseline measured in the same run:
a plain `json.dumps` of the same notes and activities fetched with `.values()`. Target (issue
#12): the package in under 5 s on SQLite.

    .venv/bin/python bench/bench_dsr_export.py [--events 10000]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relasi-bench-dsr-"))
    try:
        os.environ.update(
            DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}", RELASI_VAR_DIR=str(work),
            SECURE_HTTPS="0", CACHE_URL="locmemcache://", DJANGO_SETTINGS_MODULE="relasi.settings",
        )  # fmt: skip
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        from relasi.accounts.models import Role, User
        from relasi.activities.models import Activity
        from relasi.customers import actions
        from relasi.customers.models import Note
        from relasi.privacy import export

        call_command("migrate", verbosity=0)
        admin = User.objects.create_user(
            "bench", "bench@example.test", "x" * 20, role=Role.objects.get(slug="administrator")
        )
        c = actions.create_customer(
            admin, "person", {"first_name": "Dewi", "last_name": "Lestari"}, emails=["d@x.test"]
        )
        now = timezone.now()
        Note.objects.bulk_create(
            [Note(customer=c, body=f"Visit {i}", author=admin) for i in range(args.events)],
            batch_size=2000,
        )
        n_act = max(1, args.events // 10)
        Activity.objects.bulk_create(
            [
                Activity(title=f"Call {i}", customer=c, owner=admin, due_at=now)
                for i in range(n_act)
            ],
            batch_size=2000,
        )

        def baseline() -> bytes:
            rows = {
                "notes": list(Note.objects.filter(customer=c).values()),
                "activities": list(Activity.objects.filter(customer=c).values()),
            }
            return json.dumps(rows, default=str).encode()

        def timed(fn: object) -> tuple[float, int]:
            best = float("inf")
            size = 0
            for _ in range(3):
                t = time.perf_counter()
                size = len(fn())  # type: ignore[operator]
                best = min(best, time.perf_counter() - t)
            return best, size

        base_s, base_b = timed(baseline)
        pkg_s, pkg_b = timed(lambda: export.to_json(c))
        print(f"{'what':<44} {'seconds':>8} {'bytes':>11} {'ratio':>6}")
        print(f"{'baseline: json.dumps of .values() rows':<44} {base_s:8.3f} {base_b:11,} {1:6.1f}")
        label = f"DSR package ({args.events:,} notes + {n_act:,} activities)"
        print(f"{label:<44} {pkg_s:8.3f} {pkg_b:11,} {pkg_s / base_s:6.1f}")
        print(f"target: < 5 s -> {'PASS' if pkg_s < 5 else 'FAIL'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
