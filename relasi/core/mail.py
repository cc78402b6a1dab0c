"""The outbox: every e-mail Relasi sends passes through here (issue #19).

`MAILERS["default"]` is `OutboxBackend`, so `send_mail()`, `EmailMessage.send()` and Django's
password-reset form all end here, wherever they are called. For each message it

1. **sanitises the header values** (subject, display names, extra headers): a line break or
   other control character becomes a space, so a ticket subject typed with a new line can no
   longer make the message fail (or inject a header);
2. writes an `OutboundEmail` row (status *queued*) and enqueues `deliver_email` in the same
   transaction: a rolled-back action sends nothing, a committed one is never lost;
3. when called inside a background task, derives an idempotency key from the task run and the
   message, so a task that is run again after its worker was killed does not queue it twice.

`deliver()` claims the row (*queued* → *sending*, one winner), hands it to
`MAILERS["delivery"]` (SMTP, console…) and marks it *sent*; a failure is logged and retried
with back-off until RELASI_EMAIL_MAX_ATTEMPTS, then the row ends *failed* with the reason,
shown on the outbox page for administrators and on the record it is about (`ref`). A
delivery interrupted while *sending* is handed back to the queue by the recovery sweep; the
only duplicate left is a kill between the server's acceptance and the *sent* commit, and that
copy carries the same Message-ID.
"""

import base64
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from email import message_from_bytes
from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core import mail as django_mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.db.models import F
from django.tasks import default_task_backend
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from relasi.core import recovery
from relasi.core.choices import EmailStatus
from relasi.core.models import OutboundEmail

log = logging.getLogger("relasi.mail")

REF_HEADER = "X-Relasi-Ref"  # set by senders to link a message to its record; never sent
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def max_attempts() -> int:
    return int(getattr(settings, "RELASI_EMAIL_MAX_ATTEMPTS", 5))


def clean_header(value: Any) -> str:
    """One line of header text: control characters (CR, LF, NUL, tab…) become one space."""
    return re.sub(r" {2,}", " ", _CONTROL.sub(" ", str(value))).strip()


def ref_for(obj: Any) -> str:
    """The `ref` of a model instance: "app_label.model:pk"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def _attachments(message: EmailMessage) -> list[dict[str, Any]]:
    out = []
    for item in message.attachments:
        if isinstance(item, MIMEBase):
            out.append({"raw": base64.b64encode(item.as_bytes()).decode()})
            continue
        filename, content, mimetype = item
        if isinstance(content, str):
            out.append({"filename": filename, "text": content, "mimetype": mimetype})
        else:
            data = base64.b64encode(bytes(content)).decode()
            out.append({"filename": filename, "data": data, "mimetype": mimetype})
    return out


def serialise(message: EmailMessage) -> dict[str, Any]:
    headers = {clean_header(k): clean_header(v) for k, v in (message.extra_headers or {}).items()}
    headers.pop(REF_HEADER, None)
    headers.setdefault("Message-ID", make_msgid(domain="relasi.local"))
    return {
        "subject": clean_header(message.subject),
        "body": message.body,
        "from_email": clean_header(message.from_email or settings.DEFAULT_FROM_EMAIL),
        "to": [clean_header(a) for a in message.to],
        "cc": [clean_header(a) for a in message.cc],
        "bcc": [clean_header(a) for a in message.bcc],
        "reply_to": [clean_header(a) for a in message.reply_to],
        "headers": headers,
        "content_subtype": message.content_subtype,
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": _attachments(message),
    }


def rebuild(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for item in data["attachments"]:
        if "raw" in item:
            message.attach(message_from_bytes(base64.b64decode(item["raw"])))  # type: ignore[call-overload]
        elif "text" in item:
            message.attach(item["filename"], item["text"], item["mimetype"])
        else:
            message.attach(item["filename"], base64.b64decode(item["data"]), item["mimetype"])
    return message


def _idempotency_key(data: dict[str, Any]) -> str | None:
    """Inside a task run: the same message from the same run is queued once, however often the
    run is repeated. (A message with a fresh token in it is a new message: sent again rather
    than lost.)"""
    task_id = recovery.current_task.get()
    if not task_id:
        return None
    return hashlib.sha256(
        repr([task_id, data["from_email"], data["to"], data["subject"], data["body"]]).encode()
    ).hexdigest()


def queue(message: EmailMessage) -> OutboundEmail:
    """Write the outbox row for one message and enqueue its delivery (same transaction)."""
    data = serialise(message)
    ref = clean_header((message.extra_headers or {}).get(REF_HEADER, ""))[:100]
    key = _idempotency_key(data)
    if key:
        existing = OutboundEmail.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing  # the task ran before and queued this very message
    row = OutboundEmail(
        subject=data["subject"][:300],
        from_email=data["from_email"][:320],
        recipients=", ".join(data["to"] + data["cc"] + data["bcc"]),
        message=data,
        message_id=data["headers"]["Message-ID"][:255],
        ref=ref,
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return OutboundEmail.objects.get(idempotency_key=key)
    _enqueue(row.pk)
    return row


def _enqueue(pk: int, run_after: dt.datetime | None = None) -> None:
    from relasi.core.tasks import deliver_email

    enqueue_with_row(deliver_email, pk, run_after)


def enqueue_with_row(task: Any, pk: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue `task(pk)` for a row written in the current transaction (an outbox row, a queued
    message): on the database backend in the same transaction, in immediate mode after the
    commit; a deferred retry on a backend that cannot defer is left to the recovery sweep."""
    if run_after is not None:
        if not default_task_backend.supports_defer:
            return  # the sweep picks it up when it is due
        task = task.using(run_after=run_after)
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(pk)  # a row in the same transaction: committed together, or not at all
    else:
        transaction.on_commit(lambda: task.enqueue(pk))  # immediate mode: after the commit


# Addresses no message may go to, whoever sends it (the privacy app registers its suppression
# list): the last net under the senders, which each ask the privacy gate first.
_RECIPIENT_BLOCKS: list[Callable[[str], bool]] = []


def register_recipient_block(blocked: Callable[[str], bool]) -> None:
    if blocked not in _RECIPIENT_BLOCKS:
        _RECIPIENT_BLOCKS.append(blocked)


def _drop_blocked(message: EmailMessage) -> list[str]:
    dropped: list[str] = []
    if not _RECIPIENT_BLOCKS:
        return dropped
    for attr in ("to", "cc", "bcc"):
        kept = []
        for address in getattr(message, attr) or []:
            bare = parseaddr(str(address))[1] or str(address)
            if any(block(bare) for block in _RECIPIENT_BLOCKS):
                dropped.append(bare)
            else:
                kept.append(address)
        setattr(message, attr, kept)
    return dropped


class OutboxBackend(BaseEmailBackend):
    """MAILERS["default"]: queue instead of talking to a server."""

    def send_messages(self, email_messages: Any) -> int:
        n = 0
        for message in email_messages or []:
            dropped = _drop_blocked(message)
            if dropped:
                log.warning(
                    "suppressed recipients dropped",
                    extra={"event": "mail.suppressed", "count": len(dropped)},
                )
            if not message.recipients():
                continue
            queue(message)
            n += 1
        return n


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 60 * 2 ** max(0, attempts - 1)))


def deliver(pk: int) -> str:
    """Send one queued e-mail; returns its new status ("" when another run has it)."""
    now = timezone.now()
    if not OutboundEmail.objects.filter(
        pk=pk, status=EmailStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1):
        return ""
    row = OutboundEmail.objects.get(pk=pk)
    try:
        django_mail.mailers["delivery"].send_messages([rebuild(row.message)])
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        final = row.attempts >= max_attempts()
        OutboundEmail.objects.filter(pk=pk).update(
            status=EmailStatus.FAILED if final else EmailStatus.QUEUED,
            last_error=reason,
            next_attempt_at=now + _backoff(row.attempts),
        )
        log.error(
            "e-mail delivery failed",
            extra={
                "event": "mail.failed" if final else "mail.retry",
                "email": pk,
                "ref": row.ref,
                "attempts": row.attempts,
                "error": reason,
            },
        )
        if not final:
            _enqueue(pk, now + _backoff(row.attempts))
        return EmailStatus.FAILED if final else EmailStatus.QUEUED
    OutboundEmail.objects.filter(pk=pk).update(status=EmailStatus.SENT, sent_at=timezone.now())
    return EmailStatus.SENT


def retry(row: OutboundEmail) -> None:
    """An administrator sends a failed e-mail again (one more attempt, at once)."""
    with transaction.atomic():
        if OutboundEmail.objects.filter(pk=row.pk, status=EmailStatus.FAILED).update(
            status=EmailStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0
        ):
            _enqueue(row.pk)


def sweep(cutoff: dt.datetime) -> dict[str, int]:
    """Deliveries interrupted while *sending* go back to the queue; queued e-mails that are due
    and have no task waiting (immediate mode, a lost task) are enqueued again."""
    now = timezone.now()
    interrupted = OutboundEmail.objects.filter(
        status=EmailStatus.SENDING, claimed_at__lt=cutoff
    ).update(status=EmailStatus.QUEUED, next_attempt_at=now, last_error="interrupted")
    due = list(
        OutboundEmail.objects.filter(
            status=EmailStatus.QUEUED, next_attempt_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for pk in due:
        _enqueue(pk)
    return {"emails_interrupted": interrupted, "emails_requeued": len(due)}
