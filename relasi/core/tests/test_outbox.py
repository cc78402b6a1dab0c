"""Issue #19: every e-mail goes through one outbox. Header values are sanitised there (a
ticket subject with a line break used to make the acknowledgement fail silently), each message
is delivered exactly once by a retried task, and failures end visible and logged."""

import datetime as dt
import logging

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from relasi.core import mail, recovery
from relasi.core.choices import EmailStatus
from relasi.core.models import OutboundEmail

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def outbox(settings):
    """The production mail set-up (deliveries queued in immediate mode run on commit)."""
    settings.MAILERS = {
        "default": {"BACKEND": "relasi.core.mail.OutboxBackend"},
        "delivery": {"BACKEND": LOCMEM},
    }
    settings.RELASI_EMAIL_MAX_ATTEMPTS = 3
    return settings


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` — what follows runs as if its transaction committed at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_line_breaks_in_headers_are_sanitised_and_the_mail_is_sent(outbox, commit):
    message = EmailMessage(
        "Printer broken\r\nBcc: victim@example.test",
        "body",
        "Toko\nXYZ <toko@example.test>",
        ["Ayu\r\n Lestari <ayu@example.test>"],
    )
    with commit():
        assert message.send() == 1
    row = OutboundEmail.objects.get()
    assert row.status == EmailStatus.SENT and row.attempts == 1
    sent = django_mail.outbox[0]
    assert sent.subject == "Printer broken Bcc: victim@example.test"
    assert sent.from_email == "Toko XYZ <toko@example.test>"
    assert sent.to == ["Ayu Lestari <ayu@example.test>"]
    raw = sent.message().as_string()
    assert "\nBcc:" not in raw
    assert sent.extra_headers["Message-ID"] == row.message_id


def test_without_the_outbox_such_a_subject_fails():
    """What happened before: Django refuses the header, the task fails, nobody is told."""
    with pytest.raises(ValueError):
        send_mail("Printer\nbroken", "body", None, ["ayu@example.test"])


def test_ref_header_links_the_row_and_is_not_sent(outbox, commit):
    with commit():
        EmailMessage("Hi", "b", None, ["a@example.test"], headers={mail.REF_HEADER: "x.y:1"}).send()
    assert OutboundEmail.objects.get().ref == "x.y:1"
    assert mail.REF_HEADER not in django_mail.outbox[0].extra_headers


def test_attachments_and_alternatives_survive_the_outbox(outbox, commit):
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives("Quote", "text", None, ["a@example.test"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.attach("quote.pdf", b"%PDF-1.4 \x00\xff", "application/pdf")
    message.attach("invite.ics", "BEGIN:VCALENDAR", "text/calendar")
    with commit():
        message.send()
    sent = django_mail.outbox[0]
    assert sent.alternatives[0][0] == "<p>html</p>"
    assert sent.attachments[0][1] == b"%PDF-1.4 \x00\xff"
    assert sent.attachments[1][1] == "BEGIN:VCALENDAR"


def test_rolled_back_action_sends_nothing(outbox, commit):
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Hi", "b", None, ["a@example.test"])
        raise RuntimeError
    assert not OutboundEmail.objects.exists() and not django_mail.outbox


def test_a_task_run_again_queues_its_message_once(outbox, commit):
    token = recovery.current_task.set("3f1c0ad0-0000-4000-8000-000000000001")
    try:
        with commit():
            send_mail("Ticket T-1 received", "b", None, ["a@example.test"])
            send_mail("Ticket T-1 received", "b", None, ["a@example.test"])  # the re-run
            send_mail("Ticket T-2 received", "b", None, ["a@example.test"])  # another message
    finally:
        recovery.current_task.reset(token)
    assert OutboundEmail.objects.count() == 2
    assert len(django_mail.outbox) == 2


def test_delivery_is_claimed_once(outbox, commit):
    with commit():
        send_mail("Hi", "b", None, ["a@example.test"])
    row = OutboundEmail.objects.get()
    assert mail.deliver(row.pk) == ""  # already sent: a second run does nothing
    assert len(django_mail.outbox) == 1


def test_failures_retry_then_fail_visibly_and_are_logged(outbox, caplog, commit):
    logging.getLogger("relasi.mail").addHandler(caplog.handler)
    outbox.MAILERS = {**outbox.MAILERS, "delivery": {"BACKEND": f"{__name__}.FailingBackend"}}
    with commit():
        send_mail("Hi", "b", None, ["a@example.test"])
    row = OutboundEmail.objects.get()
    assert row.status == EmailStatus.QUEUED and "SMTP server down" in row.last_error
    for _attempt in range(2):
        OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        mail.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED and row.attempts == 3
    assert any(getattr(r, "event", "") == "mail.failed" for r in caplog.records)
    outbox.MAILERS = {**outbox.MAILERS, "delivery": {"BACKEND": LOCMEM}}
    logging.getLogger("relasi.mail").removeHandler(caplog.handler)
    with commit():
        mail.retry(row)
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT and len(django_mail.outbox) == 1


def test_interrupted_delivery_goes_back_to_the_queue_and_is_sent_once(outbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_mail("Password reset", "b", None, ["a@example.test"])
    row = OutboundEmail.objects.get()
    assert row.status == EmailStatus.QUEUED  # waiting for a worker
    long_ago = timezone.now() - dt.timedelta(hours=1)
    # A worker claimed it and was killed before the server answered.
    OutboundEmail.objects.filter(pk=row.pk).update(
        status=EmailStatus.SENDING, claimed_at=long_ago, attempts=1
    )
    counts = recovery.sweep()
    assert counts["emails_interrupted"] == 1
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT and row.attempts == 2
    assert len(django_mail.outbox) == 1
