"""The durable hand-off between a channel's webhook and the inbox.

A webhook checks the signature, stores the body as one `InboundEvent` row and answers 200:
one insert, so a burst is acknowledged as fast as the database takes rows and Meta does not
time out and resend. A worker (`drain`) then stores the events' messages, `BATCH` events per
transaction, oldest first:

- the inbox row is locked for the batch, so one inbox's events are stored in arrival order by
  one worker at a time (several workers still drain several inboxes at once). The lock is
  PostgreSQL's FOR NO KEY UPDATE: a webhook's insert of an event (whose foreign key takes a
  KEY SHARE lock on the same row) does not wait for the batch — with a plain FOR UPDATE the
  acknowledgements queued behind every drain (19 calls/s instead of hundreds);
- the messages of a batch and the deletion of its events commit together: a worker killed
  half-way (`kill -9`) leaves the whole batch pending and the next drain stores it once;
- an event whose storing hits a database error is tried again by later drains and, after
  `MAX_ATTEMPTS`, kept aside with its error (an administrator sees it on the inbox);
- storing is idempotent anyway (a message by its channel id, a status only forward), so a
  webhook delivered twice, or an event stored twice by two racing drains on SQLite, adds
  nothing.

In immediate task mode (tests, a single process) the drain runs right after the webhook's
commit, in the same request."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from relasi.conversations.models import InboundEvent, Inbox

log = logging.getLogger("relasi.conversations.queue")
MAX_ATTEMPTS = 5
NOT_STORED = "not stored yet"

# channel kind -> process(inbox, payload); a DatabaseError from it keeps the event for later
_PROCESSORS: dict[str, Callable[[Inbox, Any], Any]] = {}


def register(kind: str, process: Callable[[Inbox, Any], Any]) -> None:
    _PROCESSORS[kind] = process


def batch_size() -> int:
    return int(getattr(settings, "RELASI_INBOUND_BATCH", 100))


def accept(inbox: Inbox, payload: Any) -> InboundEvent:
    """Keep a verified webhook body; its messages are stored by `drain` after the commit."""
    from relasi.conversations.tasks import drain_inbound
    from relasi.core.mail import enqueue_with_row

    with transaction.atomic():
        event = InboundEvent.objects.create(inbox=inbox, payload=payload)
        enqueue_with_row(drain_inbound, inbox.pk)
    return event


def pending(inbox_id: int | None = None) -> Any:
    qs = InboundEvent.objects.filter(failed_at__isnull=True)
    return qs if inbox_id is None else qs.filter(inbox_id=inbox_id)


def drain(inbox_id: int, *, limit: int | None = None) -> int:
    """Store the inbox's pending events, a batch per transaction; the number stored."""
    stored = 0
    while True:
        done, left = _drain_batch(inbox_id, limit or batch_size())
        stored += done
        if not done or not left:
            return stored


def _drain_batch(inbox_id: int, size: int) -> tuple[int, bool]:
    """One transaction: (events stored, whether more may be waiting)."""
    from relasi.conversations import sla

    with transaction.atomic(), sla.one_calendar():
        inbox = (
            Inbox.objects.select_for_update(no_key=True).filter(pk=inbox_id, active=True).first()
        )
        if inbox is None:
            return 0, False
        events = list(pending(inbox_id).order_by("id")[:size])
        process = _PROCESSORS.get(inbox.kind)
        if not events or process is None:
            return 0, False
        done, failed = [], []
        for event in events:
            try:
                with transaction.atomic():
                    process(inbox, event.payload)
            except DatabaseError as exc:
                log.warning(
                    "inbound event not stored",
                    extra={"event": "conversations.event_retry", "inbound_event": event.pk},
                )
                failed.append((event, exc))
            else:
                done.append(event.pk)
        InboundEvent.objects.filter(pk__in=done).delete()
        for event, error in failed:
            attempts = event.attempts + 1
            InboundEvent.objects.filter(pk=event.pk).update(
                attempts=attempts,
                error=f"{type(error).__name__}: {error}"[:500],
                failed_at=timezone.now() if attempts >= MAX_ATTEMPTS else None,
            )
        if failed:
            Inbox.objects.filter(pk=inbox_id).update(
                last_error=f"{len(failed)} webhook(s) {NOT_STORED}: {failed[-1][1]}"[:500]
            )
        elif inbox.last_error and NOT_STORED in inbox.last_error:
            Inbox.objects.filter(pk=inbox_id).update(last_error="")  # stored after all
    return len(done), len(events) == size and bool(done)


def sweep(cutoff: Any) -> dict[str, int]:
    """The recovery sweep's part: events a killed worker left (older than `cutoff`) are
    drained now."""
    inboxes = set(pending().filter(received_at__lt=cutoff).values_list("inbox_id", flat=True))
    return {"inbound_events": sum(drain(pk) for pk in inboxes)}
