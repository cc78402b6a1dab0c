"""Thin task wrappers (house style): take ids, call actions or notify.

The SLA sweep also runs as a self-rescheduling background task when the task backend can defer
(the database backend used by `make worker`): each run schedules the next one
SERVICE_SLA_SWEEP_SECONDS later. A token in the shared cache keeps a single chain alive even if
several processes start one. `manage.py check_sla` from cron is the dependable alternative.
"""

import datetime as dt
import os
import secrets

from django.conf import settings
from django.core.cache import cache
from django.tasks import default_task_backend, task
from django.utils import timezone

from relasi.core import jobs
from relasi.service import notify

SWEEP_KEY = "service:sla-sweep"


def sweep_seconds() -> int:
    return int(
        getattr(
            settings, "SERVICE_SLA_SWEEP_SECONDS", os.environ.get("SERVICE_SLA_SWEEP_SECONDS", 300)
        )
    )


@task()
def send_ticket_ack(ticket_id: int) -> None:
    from relasi.service.models import Ticket

    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is not None:
        notify.ticket_ack(ticket)


@task()
def send_message_email(message_id: int) -> None:
    from relasi.service.models import TicketMessage

    message = TicketMessage.objects.select_related("ticket__customer").filter(pk=message_id).first()
    if message is not None and message.emailed_at is None and notify.reply(message):
        TicketMessage.objects.filter(pk=message.pk).update(emailed_at=timezone.now())


@task()
def send_csat_survey(ticket_id: int) -> None:
    from relasi.service.actions.feedback import send_csat_survey as send

    send(ticket_id)


@task()
def send_portal_links(email: str, ip: str | None = None) -> None:
    from relasi.service.actions.portal import send_links

    send_links(email, ip)


@task()
def send_nps_campaign(job_id: str) -> None:
    from relasi.service.actions.feedback import run_nps_campaign

    with jobs.running(job_id) as job:
        run_nps_campaign(int(job.params["campaign"]), job)


@task()
def sla_sweep(token: str = "") -> None:
    from relasi.service.actions.escalation import check_sla

    if token and cache.get(SWEEP_KEY) != token:
        return  # a newer chain took over
    check_sla()
    if token:
        _schedule(token)


def _schedule(token: str) -> None:
    seconds = sweep_seconds()
    cache.set(SWEEP_KEY, token, timeout=seconds * 3)
    sla_sweep.using(run_after=timezone.now() + dt.timedelta(seconds=seconds)).enqueue(token)


def ensure_sla_sweep() -> bool:
    """Start the background sweep chain unless one is alive (cheap: one cache read)."""
    if sweep_seconds() <= 0 or not default_task_backend.supports_defer:
        return False
    if cache.get(SWEEP_KEY):
        return False
    _schedule(secrets.token_hex(8))
    return True
