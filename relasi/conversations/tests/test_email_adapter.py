"""E-mail replies: a copy in the mailbox's Sent folder (loopback Dovecot) and an inbox's own
SMTP server (a loopback SMTP server in the test)."""

import pytest
from django.core import mail as django_mail

from relasi.conversations import actions, imap_sync
from relasi.conversations.choices import DeliveryStatus
from relasi.conversations.models import Message
from relasi.conversations.tests.smtp_server import SmtpServer
from relasi.conversations.tests.test_imap import mail, raw

pytestmark = pytest.mark.django_db


def _reply(personas, box, capture, body="Ada, kak."):
    conv = box.conversations.get()
    with capture(execute=True):
        out = actions.reply(personas.rep, conv, body)
    out.refresh_from_db()
    return out


def test_a_reply_is_appended_to_the_sent_folder_and_not_synced_back(
    personas, mailbox, django_capture_on_commit_callbacks
):
    with mailbox.server.client(mailbox.user) as conn:
        conn.create("Sent")
    box = mailbox.inbox
    box.config.update(imap_sent_folder="Sent", imap_folders=["INBOX", "Sent"])
    box.save()
    mailbox.deliver(raw(mail()))
    imap_sync.sync_inbox(box)

    out = _reply(personas, box, django_capture_on_commit_callbacks)

    assert out.status == DeliveryStatus.SENT and out.meta["sent_folder"] == "appended"
    assert len(django_mail.outbox) == 1  # sent through the outbox as before
    with mailbox.server.client(mailbox.user) as conn:
        conn.select("Sent", readonly=True)
        _typ, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    head, body = data[0]
    assert b"\\Seen" in head and out.external_id.encode() in body and b"Ada, kak." in body
    again = imap_sync.sync_inbox(box)
    assert again.folders["Sent"].fetched == 1 and again.stored == 0  # our own reply, known
    assert Message.objects.count() == 2


def test_a_failed_sent_folder_append_does_not_fail_the_reply(
    personas, mailbox, django_capture_on_commit_callbacks
):
    box = mailbox.inbox
    box.config["imap_sent_folder"] = "Does not exist"
    box.save()
    mailbox.deliver(raw(mail()))
    imap_sync.sync_inbox(box)
    out = _reply(personas, box, django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.SENT and out.meta["sent_folder"] == "failed"


GOOD = "rahasia"


def _smtp_inbox(mailbox, smtp, password=GOOD, **config):
    box = mailbox.inbox
    smtp.accounts["halo@tokoxyz.test"] = GOOD
    box.config.update(smtp_host=smtp.host, smtp_port=smtp.port, smtp_user="halo@tokoxyz.test",
                      smtp_security="none", **config)  # fmt: skip
    box.set_secrets({**box.get_secrets(), "smtp_password": password})
    box.save()
    mailbox.deliver(raw(mail()))
    imap_sync.sync_inbox(box)
    return box


def test_an_inbox_with_its_own_smtp_server_sends_through_it(
    personas, mailbox, django_capture_on_commit_callbacks
):
    with SmtpServer() as smtp:
        box = _smtp_inbox(mailbox, smtp)
        out = _reply(personas, box, django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.SENT
    (got,) = smtp.received
    assert got.user == "halo@tokoxyz.test" and got.recipients == ["siti@contoh.test"]
    assert out.external_id.encode() in got.data and b"In-Reply-To:" in got.data
    assert django_mail.outbox == []  # not through the default outbox


def test_a_refused_smtp_login_is_retried_later(
    personas, mailbox, django_capture_on_commit_callbacks
):
    with SmtpServer() as smtp:
        box = _smtp_inbox(mailbox, smtp, password="salah")
        out = _reply(personas, box, django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.QUEUED and "SMTPAuthenticationError" in out.error
    assert smtp.received == []


def test_an_smtp_password_is_never_sent_unencrypted_to_another_machine(
    personas, mailbox, django_capture_on_commit_callbacks
):
    with SmtpServer() as smtp:
        box = _smtp_inbox(mailbox, smtp)
    box.config["smtp_host"] = "192.0.2.25"
    box.save()
    out = _reply(personas, box, django_capture_on_commit_callbacks)
    assert out.status == DeliveryStatus.FAILED and "unencrypted" in out.error
