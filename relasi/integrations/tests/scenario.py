"""Fault scenarios that need a real file-based SQLite database and real processes, run by
test_faults.py in a subprocess:

    python -m relasi.integrations.tests.scenario f9 <dir>     # 8 concurrent writers
    python -m relasi.integrations.tests.scenario kill <dir>   # kill -9 the db_worker mid-import
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def setup(work: Path, immediate: bool) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        RELASI_VAR_DIR=str(work),
        RELASI_TASKS_IMMEDIATE="1" if immediate else "0",
        SECURE_HTTPS="0",
        DJANGO_SETTINGS_MODULE="relasi.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_import(rows: int):
    from relasi.accounts.models import Role, User
    from relasi.integrations import actions
    from relasi.integrations.tests.helpers import HEADER, csv_bytes, new_import, people

    user = User.objects.create_user(
        "imp", "imp@example.test", "x" * 20, role=Role.objects.get(slug="administrator")
    )
    job = new_import(user, csv_bytes([HEADER, *people(rows)]))
    actions.set_mapping(user, job, job.mapping, "create")
    return user, job


def f9(work: Path) -> None:
    setup(work, immediate=True)
    from django.db import connection

    from relasi.customers import actions as customer_actions
    from relasi.customers.models import Customer
    from relasi.integrations import engine

    rows = 8000
    user, job = make_import(rows)
    errors: list[BaseException] = []
    latencies: list[float] = []

    def importer() -> None:
        try:
            engine.run(job.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def editor(n: int) -> None:
        try:
            for i in range(20):
                t = time.perf_counter()
                customer_actions.create_customer(user, "person", {"name": f"UI {n}-{i}"})
                latencies.append(time.perf_counter() - t)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=importer)] + [
        threading.Thread(target=editor, args=(n,)) for n in range(7)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    print(
        f"errors={len(errors)} customers={Customer.objects.count()} expected={rows + 140} p95_ms={p95:.0f}"
    )
    if errors:
        print(repr(errors[:3]))


def kill(work: Path) -> None:
    setup(work, immediate=False)
    from django.db import connection

    from relasi.customers.models import Customer, EmailAddress
    from relasi.integrations import actions
    from relasi.integrations.models import ImportJob

    rows = 30000
    user, job = make_import(rows)
    actions.start_import(user, job)
    connection.close()
    env = dict(os.environ)
    cmd = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2", "--no-reload"]
    kills = 0
    for target in (4000, 12000, 20000):
        worker = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            done = ImportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk)
            connection.close()
            if done >= target:
                break
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        kills += 1
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "resume_imports"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    worker = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            if ImportJob.objects.values_list("status", flat=True).get(pk=job.pk) == "done":
                break
            connection.close()
            time.sleep(0.1)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    job.refresh_from_db()
    dup = Customer.objects.count() - EmailAddress.objects.values("email").distinct().count()
    print(
        f"kills={kills} status={job.status} rows_done={job.rows_done} customers={Customer.objects.count()} expected={rows} duplicates={dup} percent={job.job.percent}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    {"f9": f9, "kill": kill}[sys.argv[1]](Path(sys.argv[2]))
