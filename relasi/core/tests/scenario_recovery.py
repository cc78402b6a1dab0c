"""A real `kill -9` of `manage.py db_worker` in the middle of a job, on a file-based SQLite
database (run by test_recovery_kill.py in a subprocess):

    python -m relasi.core.tests.scenario_recovery <dir>

A worker runs `slow_job` (recovery_tasks.py) until it reports step 4, is killed with SIGKILL,
and a new worker is started: its start-up sweep sees that the old worker's process is gone,
requeues the task run, and the job finishes from step 4 with its e-mail sent once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _wait(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def main(work: Path) -> None:
    flag = work / "at-step-4"
    os.environ.pop("RELASI_TESTING", None)  # the production mail set-up, with its outbox
    os.environ.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        RELASI_VAR_DIR=str(work),
        RELASI_TASKS_IMMEDIATE="0",
        RELASI_TASK_HEARTBEAT_SECONDS="0.5",
        RELASI_SCENARIO_FLAG=str(flag),
        EMAIL_URL="consolemail://",
        SECURE_HTTPS="0",
        DJANGO_SETTINGS_MODULE="relasi.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from relasi.core import jobs
    from relasi.core.models import Job, OutboundEmail
    from relasi.core.tests.recovery_tasks import slow_job

    job = jobs.start("scenario", None, slow_job, label="kill -9 scenario")
    connection.close()
    cmd = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.1"]
    cmd += ["--no-reload", "--no-startup-delay"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    worker = subprocess.Popen(cmd, env=dict(os.environ), cwd=ROOT, **quiet)  # type: ignore[call-overload]
    reached = _wait(flag.exists, 60)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    left = Job.objects.get(pk=job.pk)
    connection.close()
    worker = subprocess.Popen(cmd, env=dict(os.environ), cwd=ROOT, **quiet)  # type: ignore[call-overload]

    def finished() -> bool:
        done = Job.objects.filter(pk=job.pk, status="succeeded").exists() and (
            OutboundEmail.objects.exclude(status="sent").count() == 0
        )
        connection.close()
        return done

    try:
        _wait(finished, 60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    job.refresh_from_db()
    emails = list(OutboundEmail.objects.values_list("status", flat=True))
    print(
        f"reached={reached} left={left.status}:{left.percent} status={job.status} "
        f"percent={job.percent} attempts={job.attempts} emails={len(emails)} "
        f"email_status={','.join(emails)}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(Path(sys.argv[1]))
