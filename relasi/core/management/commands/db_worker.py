"""`manage.py db_worker` with recovery (core/recovery.py): the django-tasks-db worker, plus a
heartbeat thread naming the task it runs, and the recovery sweep at start-up and every
RELASI_TASK_SWEEP_SECONDS. Same options as the library's command, which it replaces
(relasi.core comes before django_tasks_db in INSTALLED_APPS)."""

import logging
import time
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker as base
from django_tasks_db.models import DBTaskResult

from relasi.core import recovery

log = logging.getLogger("relasi.tasks")


class Worker(base.Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task_id: str | None = None
        self._next_sweep = 0.0

    def _beat(self) -> None:
        recovery.worker_beat(self.worker_id, self.task_id)
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + recovery.sweep_seconds()
            counts = recovery.sweep()
            if any(counts.values()):
                log.warning("recovery sweep", extra={"event": "task.sweep", **counts})

    def run(self) -> None:
        recovery.worker_beat(self.worker_id)
        self._next_sweep = time.monotonic() + recovery.sweep_seconds()
        try:
            recovery.sweep()
        except Exception:
            log.exception("recovery sweep failed", extra={"event": "task.sweep_failed"})
        close_old_connections()
        beater = recovery.Beater(self._beat, recovery.heartbeat_seconds()).start()
        try:
            super().run()
        finally:
            beater.stop()
            try:
                recovery.worker_gone(self.worker_id)
            except Exception:
                log.warning("could not remove the worker heartbeat", exc_info=True)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.task_id = str(db_task_result.pk)
        token = recovery.current_task.set(self.task_id)
        try:
            recovery.worker_beat(self.worker_id, self.task_id)
            super().run_task(db_task_result)
        finally:
            recovery.current_task.reset(token)
            self.task_id = None


class Command(base.Command):
    help = "Run a database background worker (with heartbeats and recovery of killed tasks)"

    def handle(self, *args: Any, **options: Any) -> None:
        original = base.Worker
        base.Worker = Worker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            base.Worker = original  # type: ignore[misc]
