"""Export benchmark: N customers (default 1,000,000) exported through the real list export view
(access layer, filters, audit, formula escaping) as CSV and as XLSX; prints rows/s and peak RSS
growth, against a baseline measured in the same run: a bare `values_list` scan of the same
rows (the fastest the database hands rows to Python). Targets: CSV >= 100,000 rows/s, flat memory.

    .venv/bin/python bench/bench_export.py [--rows 1000000] [--no-xlsx]
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-xlsx", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relasi-bench-export-"))
    try:
        os.environ.update(
            DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}", RELASI_VAR_DIR=str(work),
            SECURE_HTTPS="0", CACHE_URL="locmemcache://", DJANGO_SETTINGS_MODULE="relasi.settings",
        )  # fmt: skip
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction
        from django.utils import timezone

        from relasi.accounts.models import Role, User
        from relasi.core.testing import client_for
        from relasi.customers.models import Customer
        from relasi.integrations import bulk

        call_command("migrate", verbosity=0)
        admin = User.objects.create_user(
            "bench", "b@example.test", "x" * 20, role=Role.objects.get(slug="administrator")
        )
        names, defaults, pos = bulk.columns(Customer)
        now = bulk.adapt(timezone.now())
        t = time.perf_counter()
        for start in range(0, args.rows, 10_000):
            rows = []
            for i in range(start + 1, min(start + 10_001, args.rows + 1)):
                row = list(defaults)
                for k, v in (("id", i), ("kind", "person"), ("name", f"Pelanggan {i:07d}"),
                             ("primary_email", f"p{i}@example.co.id"), ("primary_phone", f"+62812{i:08d}"),
                             ("city", "Kota Bandung" if i % 3 else "=cmd|x"), ("province", "Jawa Barat"),
                             ("created_at", now), ("updated_at", now), ("lifecycle_changed_at", now),
                             ("owner_id", admin.pk), ("source", "import")):  # fmt: skip
                    row[pos[k]] = v
                rows.append(row)
            with transaction.atomic():
                bulk.insert(Customer, names, rows)
        print(f"loaded {args.rows:,} customers in {time.perf_counter() - t:.1f}s")
        base_rss = rss_mb()

        t = time.perf_counter()
        n = sum(1 for _ in Customer.objects.filter(kind="person").order_by("name", "pk").values_list(
            "name", "primary_email", "primary_phone", "city", "lifecycle_stage", "created_at").iterator(chunk_size=2000))  # fmt: skip
        scan_s = time.perf_counter() - t
        results = [("values_list scan (baseline)", n, scan_s, rss_mb() - base_rss)]

        from django.conf import settings

        settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
        client = client_for(admin)
        t = time.perf_counter()
        response = client.get("/customers/people/export/")
        size = 0
        lines = 0
        for chunk in response.streaming_content:  # chunks hold many rows: count line ends
            size += len(chunk)
            lines += chunk.count(b"\r\n")
        csv_s = time.perf_counter() - t
        results.append((f"CSV export ({size / 1e6:.0f} MB)", lines - 1, csv_s, rss_mb() - base_rss))
        # the same without the phone column (its display formatting is the costliest column)
        t = time.perf_counter()
        response = client.get(
            "/customers/people/export/?cols=name,primary_email,city,lifecycle_stage,owner"
        )
        lines = sum(chunk.count(b"\r\n") for chunk in response.streaming_content)
        results.append(
            ("CSV export, no phone column", lines - 1, time.perf_counter() - t, rss_mb() - base_rss)
        )
        if not args.no_xlsx:
            t = time.perf_counter()
            response = client.get("/customers/people/export/?format=xlsx")
            size = sum(len(c) for c in response.streaming_content)
            results.append(
                (
                    f"XLSX export ({size / 1e6:.0f} MB)",
                    n,
                    time.perf_counter() - t,
                    rss_mb() - base_rss,
                )
            )
        print()
        print(
            f"{'what':<30} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'vs scan':>8} {'peak RSS +MB':>13}"
        )
        for what, rows_n, secs, rss in results:
            print(
                f"{what:<30} {rows_n:>10,} {secs:>8.2f} {rows_n / secs:>10,.0f} {secs / scan_s:>7.1f}x {rss:>13.0f}"
            )
        csv_rate = results[1][1] / results[1][2]  # the default columns, phone included
        print(
            f"\nCSV target >= 100,000 rows/s: {'ok' if csv_rate >= 100_000 else 'BELOW'} ({csv_rate:,.0f})"
        )
        print(
            "peak RSS +MB: growth of the process peak over the loaded state (flat = does not grow with rows)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
