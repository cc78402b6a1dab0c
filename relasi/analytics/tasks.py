"""Thin task wrappers: the mart refresh and scheduled report delivery."""

from typing import Any

from django.tasks import task


@task()
def refresh_mart_task(
    full: bool = False, trigger: str = "task", user_id: int | None = None, queued: bool = False
) -> dict[str, Any]:
    """`queued`: enqueued by `refresh.request` (the automatic, debounced refresh)."""
    from relasi.accounts.models import User
    from relasi.analytics import refresh

    user = User.objects.filter(pk=user_id).first() if user_id else None
    log = refresh.run(full=full, trigger=trigger, user=user, queued=queued)
    return {"status": log.status, "generation": log.generation, "seconds": log.seconds}


@task()
def send_scheduled_reports_task() -> int:
    from relasi.analytics import delivery

    return delivery.send_due()
