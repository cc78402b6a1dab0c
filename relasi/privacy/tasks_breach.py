"""Thin task wrappers of the breach register (house style: they call `breach.check_clocks`).

Like the service SLA sweep, the clock sweep runs as a self-rescheduling task when the task backend
can defer (`make worker`): each run schedules the next PRIVACY_BREACH_SWEEP_SECONDS later, and a
token in the shared cache keeps one chain alive. Recording a breach starts the chain.
`manage.py check_breaches` from cron is the dependable alternative; the sweep is idempotent."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.cache import cache
from django.tasks import default_task_backend, task
from django.utils import timezone

SWEEP_KEY = "privacy:breach-sweep"


def sweep_seconds() -> int:
    return int(getattr(settings, "PRIVACY_BREACH_SWEEP_SECONDS", 900))


@task()
def breach_sweep(token: str = "") -> None:
    from relasi.privacy.breach import check_clocks, open_incidents

    if token and cache.get(SWEEP_KEY) != token:
        return  # a newer chain took over
    check_clocks()
    if token and open_incidents().exists():
        _schedule(token)
    elif token:
        cache.delete(SWEEP_KEY)  # nothing left to watch; the next breach starts a new chain


def _schedule(token: str) -> None:
    seconds = sweep_seconds()
    cache.set(SWEEP_KEY, token, timeout=seconds * 3)
    breach_sweep.using(run_after=timezone.now() + dt.timedelta(seconds=seconds)).enqueue(token)


def ensure_sweep() -> bool:
    """Start the background sweep chain unless one is alive (cheap: one cache read)."""
    if sweep_seconds() <= 0 or not default_task_backend.supports_defer:
        return False
    if cache.get(SWEEP_KEY):
        return False
    _schedule(secrets.token_hex(8))
    return True
