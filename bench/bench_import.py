"""Import benchmark: an N-row contacts CSV through the real importer (reading, validation,
normalisation, duplicate checks, chunked resumable writes, search index) against a raw load of
the same rows into the same tables (`executemany` on SQLite, `COPY` on PostgreSQL), measured in
the same run. Target: the importer within 3x of the raw load.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--backends sqlite,postgres]

Each backend runs in its own process on a scratch database (a temp-file SQLite database; a
PostgreSQL database created and dropped at postgres://postgres@127.0.0.1:5432)."""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
FIRST = [
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Rina",
    "Andi",
    "Wahyu",
    "Putri",
    "Joko",
    "Sri",
    "Eko",
    "Ayu",
]
LAST = [
    "Santoso",
    "Wijaya",
    "Saputra",
    "Lestari",
    "Hidayat",
    "Kusuma",
    "Nugroho",
    "Pratama",
    "Sari",
]
CITIES = [("Bandung", "Jabar"), ("Kota Surabaya", "Jawa Timur"), ("Jakarta Selatan", "DKI Jakarta"),
          ("Kab. Bogor", "Jawa Barat"), ("Medan", "Sumut"), ("Denpasar", "Bali"), ("Solo", "Jateng")]  # fmt: skip
HEADER = [
    "Nama depan",
    "Nama belakang",
    "Surel",
    "No. HP",
    "Kota",
    "Provinsi",
    "Tanggal lahir",
    "Jenis kelamin",
]


def make_csv(path: Path, rows: int) -> None:
    rnd = random.Random(42)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            city, prov = CITIES[i % len(CITIES)]
            w.writerow([
                rnd.choice(FIRST), rnd.choice(LAST), f"Kontak.{i}@Example.co.id",
                f"0812-{i // 10000:04d}-{i % 10000:04d}", city, prov,
                f"{1 + i % 28}/{1 + i % 12:02d}/{1960 + i % 40}", "L" if i % 2 else "P",
            ])  # fmt: skip


def _setup_django(db_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["RELASI_VAR_DIR"] = var_dir
    os.environ["RELASI_TASKS_IMMEDIATE"] = "1"
    os.environ["SECURE_HTTPS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relasi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _raw_rows(path: Path):  # the rows the importer writes, prepared without it
    import datetime as dt

    from django.utils import timezone

    from relasi.customers import phones as ph
    from relasi.customers.models import Customer
    from relasi.integrations import bulk
    from relasi.integrations import normalise as norm

    names, defaults, pos = bulk.columns(Customer)
    now = bulk.adapt(timezone.now())
    cust, emails, phones_, addrs, fts = [], [], [], [], []
    with path.open(newline="", encoding="utf-8") as fh:
        r = csv.reader(fh)
        next(r)
        for i, (first, last, email, phone, city, _prov, _dob, g) in enumerate(r, start=1):
            name = f"{first} {last}"
            e, p = email.lower(), "+62" + phone.replace("-", "")[1:]
            c, pv = norm.city(city)
            row = list(defaults)
            for k, v in (("id", i), ("kind", "person"), ("name", name), ("first_name", first),
                         ("last_name", last), ("primary_email", e), ("primary_phone", p),
                         ("city", c), ("province", pv), ("created_at", now), ("updated_at", now),
                         ("lifecycle_changed_at", now), ("source", "import"), ("gender", g),
                         ("date_of_birth", bulk.adapt(dt.date(1990, 1, 1)))):  # fmt: skip
                row[pos[k]] = v
            text = " ".join([name, e, *ph.variants(p), c, pv]).lower()
            row[pos["search_text"]] = text
            cust.append(row)
            emails.append((i, i, e, "personal", True))
            phones_.append((i, i, p, "mobile", True))
            addrs.append((i, i, "home", "", "", "", "", "", c, pv, "", "ID", True))
            fts.append((i, text))
    return names, cust, emails, phones_, addrs, fts


def run_child(backend: str, rows: int, csv_path: Path, work: Path) -> dict:
    from importlib import import_module

    result: dict = {"backend": backend, "rows": rows}
    if backend == "sqlite":
        template = work / "template.sqlite3"
        _setup_django(f"sqlite:///{template}", str(work))
        from django.db import connection

        connection.close()
        shutil.copy(template, work / "raw.sqlite3")
        shutil.copy(template, work / "imp.sqlite3")
        dbs = {
            "raw": f"sqlite:///{work / 'raw.sqlite3'}",
            "imp": f"sqlite:///{work / 'imp.sqlite3'}",
        }
    else:
        dbs = {}
        _setup_django(os.environ["DATABASE_URL"], str(work))
    from django.conf import settings
    from django.db import connection, connections, transaction

    from relasi.customers.models import Address, Customer, EmailAddress, PhoneNumber
    from relasi.integrations import bulk

    def switch(url: str) -> None:
        import environ

        connections.close_all()
        cfg = environ.Env.db_url_config(url)
        settings.DATABASES["default"].update({"NAME": cfg["NAME"]})
        connections["default"].settings_dict["NAME"] = cfg["NAME"]

    # --- raw baseline ------------------------------------------------------------------------
    names, cust, emails, phones_, addrs, fts = _raw_rows(csv_path)
    if dbs:
        switch(dbs["raw"])
    from relasi.integrations.targets.customers import ADDRESS_KEYS

    t = time.perf_counter()
    for start in range(0, rows, 1000):
        with transaction.atomic():
            sl = slice(start, start + 1000)
            bulk.insert(Customer, names, cust[sl])
            bulk.insert(
                EmailAddress, ("id", "customer_id", "email", "label", "is_primary"), emails[sl]
            )
            bulk.insert(
                PhoneNumber, ("id", "customer_id", "number", "label", "is_primary"), phones_[sl]
            )
            bulk.insert(
                Address,
                ("id", "customer_id", "kind", *ADDRESS_KEYS, "country", "is_primary"),
                addrs[sl],
            )
            bulk.fts_insert(fts[sl])
    result["raw_s"] = time.perf_counter() - t
    del cust, emails, phones_, addrs, fts
    if not dbs:  # PostgreSQL: empty the tables again for the importer
        with connection.cursor() as c:
            c.execute(
                "TRUNCATE customers_customer, customers_emailaddress, customers_phonenumber, customers_address CASCADE"
            )
    else:
        switch(dbs["imp"])

    # --- the real importer -------------------------------------------------------------------
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relasi.accounts.models import Role, User
    from relasi.integrations import actions, engine

    import_module("relasi.accounts.roles")
    admin = User.objects.create_user(
        "bench", "bench@example.test", "x" * 20, role=Role.objects.get(slug="administrator")
    )
    t = time.perf_counter()
    with csv_path.open("rb") as fh:
        up = SimpleUploadedFile("contacts.csv", fh.read(), content_type="text/csv")
    settings.MAX_UPLOAD_BYTES = 10**10
    job = actions.create_import(admin, up, "people")
    actions.set_mapping(admin, job, job.mapping, "skip")
    job = engine.run(job.pk)
    result["import_s"] = time.perf_counter() - t
    result["created"] = job.created
    result["rejected"] = job.rejected
    result["customers"] = Customer.objects.count()
    connections.close_all()
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.rows, Path(args.csv), Path(args.work))))
        return
    work = Path(tempfile.mkdtemp(prefix="relasi-bench-import-"))
    try:
        csv_path = work / "contacts.csv"
        t = time.perf_counter()
        make_csv(csv_path, args.rows)
        print(
            f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f}s"
        )
        results = []
        for backend in args.backends.split(","):
            env = dict(os.environ)
            dbname = f"relasi_bench_{os.getpid()}"
            if backend == "postgres":
                import psycopg

                try:
                    with psycopg.connect(
                        f"{PG_URL}/postgres", autocommit=True, connect_timeout=3
                    ) as c:
                        c.execute(f'CREATE DATABASE "{dbname}"')
                except psycopg.Error as exc:
                    print(f"postgres: skipped ({exc.__class__.__name__})")
                    continue
                env["DATABASE_URL"] = f"{PG_URL}/{dbname}"
            sub = work / backend
            sub.mkdir()
            try:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", backend, "--rows", str(args.rows), "--csv", str(csv_path), "--work", str(sub)],
                    env=env, capture_output=True, text=True, check=True,
                )  # fmt: skip
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
            except subprocess.CalledProcessError as exc:
                print(exc.stderr[-3000:])
                raise
            finally:
                if backend == "postgres":
                    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as c:
                        c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        print()
        print(
            f"{'backend':<10} {'rows':>10} {'raw load rows/s':>16} {'importer rows/s':>16} {'ratio':>7}  {'target':>7}"
        )
        for r in results:
            raw, imp = r["rows"] / r["raw_s"], r["rows"] / r["import_s"]
            ratio = r["import_s"] / r["raw_s"]
            ok = "ok" if ratio <= 3 else "SLOW"
            print(
                f"{r['backend']:<10} {r['rows']:>10,} {raw:>16,.0f} {imp:>16,.0f} {ratio:>6.2f}x  <=3x {ok}"
            )
            assert r["customers"] == r["rows"] - r["rejected"], r
        print(
            "(baseline: raw executemany/COPY of the same prepared rows into the same tables, same run)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
