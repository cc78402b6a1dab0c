"""Sending events to endpoints: at least once, in order per record, with back-off.

- `fan_out` (in the change's transaction) writes one `Delivery` per subscribed active
  endpoint and enqueues its task with the row (core/mail.py `enqueue_with_row`).
- `deliver` claims a pending delivery only when no earlier delivery of the same record for
  the same endpoint is still pending or being sent (one UPDATE, so two workers cannot both
  win), POSTs it signed (webhooks/signing.py) through the SSRF guard, logs the try, and on
  success goes on with the record's next delivery. A failure is retried after 30 s, 60 s,
  120 s … (RELASI_WEBHOOK_BACKOFF_SECONDS, doubling, capped at 6 h) up to
  RELASI_WEBHOOK_MAX_ATTEMPTS tries; then it ends *failed* and the record's later events
  go on. `DISABLE_AFTER` failures in a row (or a 410 Gone) switch the endpoint off and tell
  its owner; its pending deliveries wait and resume when it is switched on again.
- The idempotency key is the event's id (`webhook-id`): a try whose answer was lost (a
  killed worker, a receiver that died before answering) is sent again with the same id.
- `sweep` (core/recovery.py) hands back deliveries whose worker died while sending and
  re-enqueues due ones whose task was lost.
"""

import datetime as dt
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from relasi.core.mail import enqueue_with_row
from relasi.webhooks import signing, ssrf
from relasi.webhooks.choices import DeliveryStatus
from relasi.webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint

log = logging.getLogger("relasi.webhooks")
OPEN = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
CHAIN_PER_RUN = 200  # deliveries of one record sent in one task run before handing over


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def backoff(attempts: int) -> dt.timedelta:
    base = _setting("RELASI_WEBHOOK_BACKOFF_SECONDS", 30)
    return dt.timedelta(seconds=min(6 * 3600, base * 2 ** max(0, attempts - 1)))


def _enqueue(pk: int, run_after: dt.datetime | None = None) -> None:
    from relasi.webhooks.tasks import deliver_webhook

    enqueue_with_row(deliver_webhook, pk, run_after)


def fan_out(event: Event) -> list[Delivery]:
    endpoints = [ep for ep in WebhookEndpoint.objects.filter(active=True) if ep.wants(event.type)]
    if not endpoints:
        return []
    rows = Delivery.objects.bulk_create(
        [Delivery(endpoint=ep, event=event, record_key=event.record_key) for ep in endpoints]
    )
    for row in rows:
        _enqueue(row.pk)
    return rows


def body_of(event: Event) -> bytes:
    return json.dumps(event.envelope(), separators=(",", ":"), ensure_ascii=False).encode()


def _earlier() -> Exists:
    return Exists(
        Delivery.objects.filter(
            endpoint_id=OuterRef("endpoint_id"),
            record_key=OuterRef("record_key"),
            event_id__lt=OuterRef("event_id"),
            status__in=OPEN,
        )
    )


def _claim(pk: int, now: dt.datetime) -> bool:
    """Pending, due, its endpoint on, and no earlier delivery of its record open. The check is
    a lookup with literal values on the chain index (not a correlated subquery in the
    UPDATE, which cost 13 ms a claim on SQLite); it cannot go stale, because an earlier event
    of the same record never becomes open again except by a manual redelivery."""
    row = (
        Delivery.objects.filter(pk=pk)
        .values_list("endpoint_id", "record_key", "event_id", "endpoint__active")
        .first()
    )
    if row is None or not row[3]:
        return False
    endpoint_id, record_key, event_id, _active = row
    if Delivery.objects.filter(
        endpoint_id=endpoint_id, record_key=record_key, event_id__lt=event_id, status__in=OPEN
    ).exists():
        return False
    return bool(
        Delivery.objects.filter(
            pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def deliver(pk: int) -> str:
    """Send delivery `pk` and then the record's next ones; the first outcome ("" when the
    delivery is not due, waits for an earlier one, or another run has it)."""
    first = ""
    for _n in range(CHAIN_PER_RUN):
        outcome = _deliver_one(pk)
        first = first or outcome
        if outcome != DeliveryStatus.DELIVERED and outcome != DeliveryStatus.FAILED:
            return first
        row = Delivery.objects.filter(pk=pk).values_list("endpoint_id", "record_key").first()
        if row is None:
            return first
        nxt = (
            Delivery.objects.filter(
                status=DeliveryStatus.PENDING, endpoint_id=row[0], record_key=row[1]
            )
            .order_by("event_id")
            .values_list("pk", flat=True)
            .first()
        )
        if nxt is None:
            return first
        pk = nxt
    _enqueue(pk)  # a long chain: the rest in a run of its own
    return first


def _deliver_one(pk: int, *, manual: bool = False) -> str:
    now = timezone.now()
    if not _claim(pk, now):
        return ""
    row = Delivery.objects.select_related("endpoint", "event").get(pk=pk)
    endpoint, event = row.endpoint, row.event
    body = body_of(event)
    head = {
        "Content-Type": "application/json",
        "User-Agent": "Relasi-Webhooks/1",
        **signing.headers(endpoint.get_secret(), event.uid, body),
    }
    started = time.monotonic()
    code, error, answer = None, "", b""
    try:
        code, answer = ssrf.post(endpoint.url, body, head, _setting("RELASI_WEBHOOK_TIMEOUT", 10))
    except Exception as exc:  # connection refused, reset, timeout, TLS, SSRF guard
        error = f"{type(exc).__name__}: {exc}"[:500]
    ms = int((time.monotonic() - started) * 1000)
    attempt = DeliveryAttempt(
        delivery=row,
        status_code=code,
        duration_ms=ms,
        error=error,
        response=answer.decode("utf-8", "replace")[:500],
        manual=manual,
    )
    if code is not None and 200 <= code < 300:
        return _succeeded(row, attempt, code)
    attempt.save()
    return _failed(row, code, error or f"HTTP {code}")


def _succeeded(row: Delivery, attempt: DeliveryAttempt, code: int) -> str:
    pk, endpoint = row.pk, row.endpoint
    with transaction.atomic():  # one commit for the log and the mark
        attempt.save()
        Delivery.objects.filter(pk=pk).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=code,
            last_error="",
        )
        if endpoint.consecutive_failures:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    return DeliveryStatus.DELIVERED


def _failed(row: Delivery, code: int | None, error: str) -> str:
    final = row.attempts + 1 >= int(_setting("RELASI_WEBHOOK_MAX_ATTEMPTS", 12))
    due = timezone.now() + backoff(row.attempts + 1)
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        next_attempt_at=due,
        last_status_code=code,
        last_error=error[:500],
    )
    WebhookEndpoint.objects.filter(pk=row.endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    failures = (
        WebhookEndpoint.objects.filter(pk=row.endpoint_id)
        .values_list("consecutive_failures", flat=True)
        .first()
        or 0
    )
    limit = int(_setting("RELASI_WEBHOOK_DISABLE_AFTER", 20))
    if code == 410 or failures >= limit:
        disable(row.endpoint_id, failures, gone=code == 410)
    elif not final:
        _enqueue(row.pk, due)
    log.warning(
        "webhook delivery failed",
        extra={
            "event": "webhook.failed" if final else "webhook.retry",
            "delivery": row.pk,
            "endpoint": row.endpoint_id,
            "status": code,
        },
    )
    return DeliveryStatus.FAILED if final else DeliveryStatus.PENDING


def disable(endpoint_id: int, failures: int, *, gone: bool = False) -> None:
    """Switch an endpoint off after repeated failure and tell its owner (once)."""
    from django.utils.translation import gettext as _

    from relasi.activities.actions import notify_user

    reason = "410 Gone" if gone else f"{failures} failures in a row"
    with transaction.atomic():
        if not WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).update(
            active=False, disabled_reason=reason
        ):
            return
        endpoint = WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id)
        url = f"/webhooks/endpoints/{endpoint.pk}/"

        def compose() -> tuple[str, str]:
            text = _("Webhook “%(name)s” was switched off: %(n)s.") % {
                "name": endpoint.name,
                "n": _("the receiver answered 410 Gone")
                if gone
                else _("%(n)d failed deliveries in a row") % {"n": failures},
            }
            body = _(
                "Relasi stopped sending events to %(url)s. Its undelivered events wait; switch "
                "the endpoint on again once the receiver works, and they are sent in order."
            ) % {"url": endpoint.url}
            return text, body

        notify_user(endpoint.owner, "webhook.disabled", url, compose)
    log.error("webhook endpoint disabled", extra={"event": "webhook.disabled", "id": endpoint_id})


def enable(endpoint: WebhookEndpoint) -> int:
    """Switch an endpoint on again; its waiting deliveries are sent (oldest per record first)."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=True, consecutive_failures=0, disabled_reason=""
        )
        heads = _heads(Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING))
        Delivery.objects.filter(pk__in=heads).update(next_attempt_at=timezone.now())
        for pk in heads:
            _enqueue(pk)
    return len(heads)


def _heads(qs: Any) -> list[int]:
    """The first pending delivery of each record: the ones that may go now."""
    return list(qs.exclude(_earlier()).order_by("event_id").values_list("pk", flat=True)[:1000])


def redeliver(row: Delivery) -> Delivery:
    """Send a delivery again at once, as a new pending try (a delivered one too: the
    receiver asked for it again). It still waits for earlier events of its record."""
    with transaction.atomic():
        Delivery.objects.filter(pk=row.pk).exclude(status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        _enqueue(row.pk)
    return Delivery.objects.get(pk=row.pk)


def deliver_due(limit: int = 1000) -> int:
    """Send every due delivery now, in this process (tests, the bench, a cron fallback)."""
    sent = 0
    now = timezone.now()
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True
    )
    for pk in _heads(due)[:limit]:
        if deliver(pk):
            sent += 1
    return sent


def sweep(cutoff: dt.datetime) -> dict[str, int]:
    now = timezone.now()
    interrupted = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=cutoff
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, last_error="interrupted")
    due = _heads(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lt=cutoff, endpoint__active=True
        )
    )
    for pk in due[:500]:
        _enqueue(pk)
    return {"webhooks_interrupted": interrupted, "webhooks_requeued": len(due[:500])}
