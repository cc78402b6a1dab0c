"""Thin task wrappers of retention (house style: they call `relasi.privacy.retention`).

`apply_retention(job_id)` runs one RetentionRun started from the UI or API, with the job's
progress bar. `nightly_retention(token)` applies every active policy once a night
(PRIVACY_RETENTION_HOUR, default 02:00 Asia/Jakarta) as a self-rescheduling chain when the task
backend can defer (`make worker`), like the SLA and breach sweeps: a token in the shared cache
keeps one chain alive. It is idempotent — a night that already has a scheduled run is skipped,
and matched rows are anonymised or deleted once. `manage.py apply_retention` from cron is the
dependable alternative."""

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.tasks import default_task_backend, task
from django.utils import timezone

from relasi.core import jobs

NIGHTLY_KEY = "privacy:retention-nightly"
ZONE = ZoneInfo("Asia/Jakarta")


def nightly_hour() -> int:
    return int(getattr(settings, "PRIVACY_RETENTION_HOUR", 2))


def next_night(now: dt.datetime | None = None) -> dt.datetime:
    local = (now or timezone.now()).astimezone(ZONE)
    at = local.replace(hour=nightly_hour(), minute=0, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


@task()
def apply_retention(job_id: str) -> None:
    from relasi.privacy.models import RetentionRun
    from relasi.privacy.retention import execute_run

    with jobs.running(job_id) as job:
        execute_run(RetentionRun.objects.get(pk=job.params["run"]), job)


def run_nightly(now: dt.datetime | None = None) -> object | None:
    """Apply all active policies unless tonight's scheduled run exists already."""
    from relasi.privacy.choices import RetentionTrigger
    from relasi.privacy.models import RetentionRun
    from relasi.privacy.retention import run_now

    when = now or timezone.now()
    day = when.astimezone(ZONE).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=ZONE)
    if RetentionRun.objects.filter(
        trigger=RetentionTrigger.SCHEDULED, dry_run=False, started_at__gte=start
    ).exists():
        return None
    return run_now(None, trigger=RetentionTrigger.SCHEDULED, now=when)


@task()
def nightly_retention(token: str = "") -> None:
    if token and cache.get(NIGHTLY_KEY) != token:
        return  # a newer chain took over
    try:
        run_nightly()
    finally:
        if token:
            _schedule(token)


def _schedule(token: str) -> None:
    at = next_night()
    cache.set(NIGHTLY_KEY, token, timeout=int((at - timezone.now()).total_seconds()) + 3 * 3600)
    nightly_retention.using(run_after=at).enqueue(token)


def ensure_nightly() -> bool:
    """Start the nightly chain unless one is alive (cheap: one cache read)."""
    if not default_task_backend.supports_defer or cache.get(NIGHTLY_KEY):
        return False
    _schedule(secrets.token_hex(8))
    return True
