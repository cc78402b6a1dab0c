"""Thin task wrappers of data-subject requests (they call `dsr.check_clocks`).

As the breach sweep: a self-rescheduling task when the task backend can defer (`make worker`),
one chain kept alive by a token in the shared cache; filing a request starts the chain.
`manage.py check_data_requests` from cron is the dependable alternative; the sweep is idempotent."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.cache import cache
from django.tasks import default_task_backend, task
from django.utils import timezone

SWEEP_KEY = "privacy:dsr-sweep"


def sweep_seconds() -> int:
    return int(getattr(settings, "PRIVACY_DSR_SWEEP_SECONDS", 900))


@task()
def dsr_sweep(token: str = "") -> None:
    from relasi.privacy.dsr import check_clocks, open_requests

    if token and cache.get(SWEEP_KEY) != token:
        return  # a newer chain took over
    check_clocks()
    if token and open_requests().exists():
        _schedule(token)
    elif token:
        cache.delete(SWEEP_KEY)


def _schedule(token: str) -> None:
    seconds = sweep_seconds()
    cache.set(SWEEP_KEY, token, timeout=seconds * 3)
    dsr_sweep.using(run_after=timezone.now() + dt.timedelta(seconds=seconds)).enqueue(token)


def ensure_sweep() -> bool:
    if sweep_seconds() <= 0 or not default_task_backend.supports_defer:
        return False
    if cache.get(SWEEP_KEY):
        return False
    _schedule(secrets.token_hex(8))
    return True
