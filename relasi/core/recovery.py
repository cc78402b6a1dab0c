"""One recovery mechanism for every background task kind (issue #19).

A worker killed with `kill -9` (or a machine that lost power) leaves its task run marked
*running* in the queue, and the `Job` the UI polls at "running 0 %", forever. Here:

- **Heartbeats.** `db_worker` (relasi/core/management/commands/db_worker.py) keeps a
  `WorkerHeartbeat` row fresh from a side thread every `RELASI_TASK_HEARTBEAT_SECONDS`
  (default 10), naming the task run it is executing; `jobs.running()` keeps `Job.heartbeat_at`
  fresh the same way, also when a job runs inline.
- **Stale detection.** A task run is stale when the worker that claimed it has not beaten for
  `RELASI_TASK_STALE_SECONDS` (default 120), or, on the same machine, when that worker's
  process no longer exists.
- **Retry.** A stale run goes back to the queue as it was (same arguments, same id) and its Job
  to *queued*, until it has been started `RELASI_TASK_MAX_ATTEMPTS` times (default 3); then run
  and Job end *failed* with the reason. Tasks are written to be safe to run again: imports
  continue from their committed watermark, the duplicate scan rewrites its candidates in one
  transaction, and e-mails go through the outbox (core/mail.py), which sends each message once.
- **The sweep** (`sweep()`) runs when a worker starts and every `RELASI_TASK_SWEEP_SECONDS`
  (default 30) inside every worker; `manage.py recover_tasks` runs it from cron.
"""

import contextvars
import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from relasi.core.choices import JobStatus
from relasi.core.models import Job, WorkerHeartbeat

log = logging.getLogger("relasi.tasks")

# The id of the task run this thread executes (set by the worker, read by jobs and the outbox).
current_task: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "relasi_current_task", default=None
)
HOSTNAME = socket.gethostname()[:255]


def heartbeat_seconds() -> float:
    return float(getattr(settings, "RELASI_TASK_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> float:
    return float(getattr(settings, "RELASI_TASK_STALE_SECONDS", 120))


def max_attempts() -> int:
    return int(getattr(settings, "RELASI_TASK_MAX_ATTEMPTS", 3))


def sweep_seconds() -> float:
    return float(getattr(settings, "RELASI_TASK_SWEEP_SECONDS", 30))


class WorkerLost(Exception):
    """The worker running a task stopped without finishing it (recorded on the task run)."""


class Beater:
    """Calls `beat()` every `interval` seconds from a daemon thread until stopped; errors are
    logged and retried at the next beat (a locked SQLite file must not kill the heartbeat)."""

    def __init__(self, beat: Callable[[], Any], interval: float) -> None:
        self.beat, self.interval = beat, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relasi-heartbeat", daemon=True)

    def start(self) -> "Beater":
        self._thread.start()
        return self

    def stop(self) -> None:
        # No join: a beat waiting for a lock the caller's transaction holds would deadlock it;
        # a late beat only touches rows that are still running, so it is harmless.
        self._stop.set()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except Exception:
                    log.warning("heartbeat failed", exc_info=True, extra={"event": "task.beat"})
        finally:
            connections.close_all()


def worker_beat(worker_id: str, task_id: str | None = None) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now, "task_id": task_id, "hostname": HOSTNAME, "pid": os.getpid()},
    )


def worker_gone(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _live_workers(cutoff: dt.datetime) -> set[str]:
    live = set()
    for worker_id, host, pid in WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list(
        "worker_id", "hostname", "pid"
    ):
        if host == HOSTNAME and pid and not _process_exists(pid):
            continue  # killed on this machine: no need to wait for the heartbeat to age
        live.add(worker_id)
    return live


def _requeue_or_fail(run: DBTaskResult, now: dt.datetime) -> str:
    attempts = len(run.worker_ids or [])
    claimed = DBTaskResult.objects.filter(
        pk=run.pk, status=TaskResultStatus.RUNNING, started_at=run.started_at
    )
    if attempts < max_attempts():
        if not claimed.update(status=TaskResultStatus.READY, started_at=None):
            return ""
        Job.objects.filter(task_id=run.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED,
            message=_("Interrupted; resuming (attempt %(n)d of %(max)d)")
            % {"n": attempts + 1, "max": max_attempts()},
        )
        log.warning(
            "task requeued after its worker stopped",
            extra={"event": "task.requeued", "task": run.task_path, "attempts": attempts},
        )
        return "requeued"
    reason = _(
        "The worker running this task stopped without finishing it %(n)d times; giving up."
    ) % {"n": attempts}
    if not claimed.update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=reason,
    ):
        return ""
    Job.objects.filter(task_id=run.pk).exclude(
        status__in=[JobStatus.SUCCEEDED, JobStatus.CANCELLED]
    ).update(status=JobStatus.FAILED, error=reason, finished_at=now)
    log.error(
        "task failed: worker lost too often",
        extra={"event": "task.failed", "task": run.task_path, "attempts": attempts},
    )
    return "failed"


def _orphan_jobs(cutoff: dt.datetime, now: dt.datetime) -> int:
    """Running jobs nobody beats for and no live task run will pick up again: failed, with
    the reason, instead of "running 0 %" forever (an inline run in a killed web process)."""
    pending = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values("id")
    return (
        Job.objects.filter(status=JobStatus.RUNNING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
        .exclude(task_id__in=pending)
        .update(
            status=JobStatus.FAILED,
            error=_("The process running this job stopped without finishing it."),
            finished_at=now,
        )
    )


# Apps above core add their own part of the sweep (the conversations app's stuck messages),
# so one recovery pass covers every kind of background work.
_SWEEPS: list[Callable[[dt.datetime], dict[str, int]]] = []


def register_sweep(part: Callable[[dt.datetime], dict[str, int]]) -> None:
    """`part(cutoff)` hands back to the queue what a worker that died before `cutoff` left."""
    if part not in _SWEEPS:
        _SWEEPS.append(part)


def sweep(*, stale_after: float | None = None) -> dict[str, int]:
    """Requeue or fail task runs whose worker died, fail orphaned jobs, hand due e-mails to the
    queue again and drop expired rate counters. Safe to run from any number of processes."""
    from relasi.core import mail, throttle

    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds() if stale_after is None else stale_after)
    live = _live_workers(cutoff)
    counts = {"requeued": 0, "failed": 0, "orphaned_jobs": 0}
    for run in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "started_at", "task_path"
    ):
        worker = (run.worker_ids or [None])[-1]
        if worker in live:
            continue
        if worker is None and run.started_at and run.started_at >= cutoff:
            continue
        outcome = _requeue_or_fail(run, now)
        if outcome:
            counts[outcome] += 1
    counts["orphaned_jobs"] = _orphan_jobs(cutoff, now)
    counts.update(mail.sweep(cutoff))
    for part in _SWEEPS:
        counts.update(part(cutoff))
    throttle.prune()
    WorkerHeartbeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return counts
