"""IMAP sync against a real Dovecot on loopback (tests/conftest.py starts it)."""

import hashlib
import os
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core.management import call_command
from django.utils import timezone

from relasi.conversations import imap_sync
from relasi.conversations.choices import MessageKind
from relasi.conversations.models import Conversation, Message, MessageAttachment
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def mail(
    sender: str = "Siti Rahayu <siti@contoh.test>",
    subject: str = "Harga paket",
    body: str = "Halo, stok masih ada?",
    msgid: str | None = None,
    **headers: str,
) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "halo@tokoxyz.test"
    m["Subject"] = subject
    m["Date"] = format_datetime(timezone.now())
    m["Message-ID"] = msgid or make_msgid(domain="contoh.test")
    for key, value in headers.items():
        m[key.replace("_", "-")] = value
    m.set_content(body)
    return m


def raw(m: EmailMessage) -> bytes:
    return bytes(m)


def test_sync_opens_conversations_matched_to_the_customer_and_threads_the_reply(personas, mailbox):
    siti = person(personas.rep, "Siti", "Rahayu", emails=["siti@contoh.test", "siti@kerja.test"])
    first = mail()
    reply = mail("siti@kerja.test", "Re: Harga paket", "Jadi pesan dua.",
                 In_Reply_To=first["Message-ID"], References=first["Message-ID"])  # fmt: skip
    stranger = mail("Budi <budi@lain.test>", "Garansi", "Garansi berapa lama?")
    mailbox.deliver(raw(first), raw(reply), raw(stranger))

    result = imap_sync.sync_inbox(mailbox.inbox)

    assert (result.fetched, result.stored, result.error) == (3, 3, "")
    conv = Conversation.objects.get(customer=siti)
    assert conv.subject == "Harga paket" and conv.contact_name == "Siti Rahayu"
    assert list(conv.messages.values_list("body", flat=True)) == [
        "Halo, stok masih ada?",
        "Jadi pesan dua.",
    ]
    assert Conversation.objects.waiting_on_us().filter(pk=conv.pk).exists()
    other = Conversation.objects.exclude(pk=conv.pk).get()
    assert other.customer.name == "Budi" and other.customer != siti
    mailbox.inbox.refresh_from_db()
    assert mailbox.inbox.sync_state["imap"]["INBOX"]["last_uid"] == 3
    assert mailbox.inbox.last_sync_at is not None and mailbox.inbox.last_error == ""


def test_a_second_sync_fetches_only_what_is_new(personas, mailbox, monkeypatch):
    mailbox.deliver(raw(mail()), raw(mail(subject="Dua")))
    assert imap_sync.sync_inbox(mailbox.inbox).fetched == 2
    fetched: list[int] = []
    real = imap_sync.fetch_batch
    monkeypatch.setattr(
        imap_sync, "fetch_batch", lambda conn, batch: fetched.extend(batch) or real(conn, batch)
    )
    again = imap_sync.sync_inbox(mailbox.inbox)
    assert (again.fetched, again.stored, fetched) == (0, 0, [])
    mailbox.deliver(raw(mail(subject="Tiga")))
    third = imap_sync.sync_inbox(mailbox.inbox)
    assert (third.fetched, third.stored, fetched) == (1, 1, [3])
    assert Message.objects.count() == 3


def test_a_sync_killed_after_its_first_batch_resumes_without_doubles_or_gaps(
    personas, mailbox, monkeypatch
):
    mails = [mail(subject=f"Pesan {i}") for i in range(7)]
    mailbox.deliver(*[raw(m) for m in mails])
    fetched: list[int] = []
    real = imap_sync.fetch_batch

    def crash_on_second_batch(conn, batch):
        if fetched:
            raise RuntimeError("worker killed")
        fetched.extend(batch)
        return real(conn, batch)

    monkeypatch.setattr(imap_sync, "fetch_batch", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        imap_sync.sync_inbox(mailbox.inbox, batch_size=3)
    mailbox.inbox.refresh_from_db()
    assert mailbox.inbox.sync_state["imap"]["INBOX"]["last_uid"] == 3
    assert "worker killed" in mailbox.inbox.last_error
    assert Message.objects.count() == 3

    def record(conn, batch):
        fetched.extend(batch)
        return real(conn, batch)

    monkeypatch.setattr(imap_sync, "fetch_batch", record)
    result = imap_sync.sync_inbox(mailbox.inbox, batch_size=3)
    assert result.fetched == 4 and result.stored == 4
    assert sorted(fetched) == list(range(1, 8))  # every UID fetched exactly once
    ids = list(Message.objects.values_list("external_id", flat=True))
    assert sorted(ids) == sorted(str(m["Message-ID"]) for m in mails)


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(personas, mailbox):
    box = mailbox.inbox
    box.config["imap_folders"] = ["INBOX", "Support"]
    box.save()
    no_id = mail(subject="Tanpa Message-ID")
    del no_id["Message-ID"]
    old = [raw(mail(subject="Satu")), raw(mail(subject="Dua")), raw(no_id)]
    mailbox.deliver(*old, folder="Support")
    assert imap_sync.sync_inbox(box).stored == 3
    before = mailbox.server.uidvalidity(mailbox.user, "Support")

    mailbox.server.recreate_folder(mailbox.user, "Support")
    mailbox.deliver(raw(mail(subject="Baru")), *old, folder="Support")
    assert mailbox.server.uidvalidity(mailbox.user, "Support") != before

    result = imap_sync.sync_inbox(box)
    support = result.folders["Support"]
    assert support.resynced and support.fetched == 4
    assert (support.stored, support.known) == (1, 3)
    assert Message.objects.count() == 4
    assert Message.objects.filter(external_id__endswith="@relasi.invalid>").count() == 1
    box.refresh_from_db()
    state = box.sync_state["imap"]["Support"]
    assert state["last_uid"] == 4 and state["uidvalidity"] != before


MALFORMED = [
    # a multipart whose closing boundary never comes, with broken base64
    b"From: a@contoh.test\r\nSubject: rusak\r\nMessage-ID: <broken1@contoh.test>\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
    b"--XX\r\nContent-Type: text/plain\r\n\r\nteks awal\r\n--XX\r\n"
    b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="a.pdf"\r\n\r\n%%%not base64!!\r\n',
    # an unknown charset and an undecodable encoded-word subject
    b"From: =?x-nonsense?B?////?= <b@contoh.test>\r\nSubject: =?utf-8?B?@@@?=\r\n"
    b"Message-ID: <broken2@contoh.test>\r\nDate: not a date\r\n"
    b"Content-Type: text/plain; charset=x-nonsense\r\n\r\nisi \xe9\xff\r\n",
    # no headers at all, only bytes
    b"\x00\xff\xfe garbage with no header line\r\n\r\n\x80\x81",
]


def test_malformed_messages_are_stored_as_far_as_they_can_be_read(personas, mailbox):
    mailbox.deliver(*MALFORMED, raw(mail(subject="Normal")))
    result = imap_sync.sync_inbox(mailbox.inbox)
    assert result.error == "" and result.fetched == 4
    assert result.folders["INBOX"].failed == 0 and Message.objects.count() == 4
    first = Message.objects.get(external_id="<broken1@contoh.test>")
    assert first.body == "teks awal" and first.meta.get("defects")
    second = Message.objects.get(external_id="<broken2@contoh.test>")
    assert second.sender == "b@contoh.test" and second.body.startswith("isi é")
    assert Message.objects.filter(body="Halo, stok masih ada?").count() == 1


def test_a_20_mb_attachment_is_stored_whole(personas, mailbox):
    payload = os.urandom(20 * 1024 * 1024)
    m = mail(subject="Katalog")
    m.add_attachment(payload, maintype="application", subtype="zip", filename="katalog.zip")
    mailbox.deliver(raw(m))
    assert imap_sync.sync_inbox(mailbox.inbox).stored == 1
    (att,) = MessageAttachment.objects.all()
    assert att.name == "katalog.zip" and att.size == len(payload)
    with att.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).digest() == hashlib.sha256(payload).digest()


def test_a_message_over_the_size_limit_keeps_its_headers(personas, mailbox):
    mailbox.inbox.config["imap_max_message_mb"] = 0.5
    mailbox.inbox.save()
    m = mail(subject="Besar sekali")
    m.add_attachment(os.urandom(1024 * 1024), maintype="video", subtype="mp4", filename="v.mp4")
    mailbox.deliver(raw(m), raw(mail(subject="Kecil")))
    assert imap_sync.sync_inbox(mailbox.inbox).stored == 2
    big = Message.objects.get(conversation__subject="Besar sekali")
    assert big.meta["too_large"] > 1024 * 1024 and not big.attachments.exists()
    assert Message.objects.get(conversation__subject="Kecil").body == "Halo, stok masih ada?"


def _legacy(charset: str, subject_b64: str, body: bytes, msgid: str) -> bytes:
    return (
        f"From: pelanggan@contoh.test\r\nSubject: {subject_b64}\r\nMessage-ID: <{msgid}>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + body


def test_legacy_charsets_are_decoded(personas, mailbox):
    import base64

    gb = "=?gb2312?B?" + base64.b64encode("你好".encode("gb2312")).decode() + "?="
    mailbox.deliver(
        # labelled Latin-1 but written on Windows: curly quotes live in 0x93/0x94
        _legacy("iso-8859-1", "Caf=?iso-8859-1?Q?=E9?=", "“Café” ok".encode("cp1252"), "l1@x"),
        _legacy("windows-1252", "Harga", "Harga €5".encode("cp1252"), "w1@x"),
        _legacy("gb2312", gb, "你好，价格多少？".encode("gb2312"), "gb@x"),
    )
    assert imap_sync.sync_inbox(mailbox.inbox).stored == 3
    bodies = dict(Message.objects.values_list("external_id", "body"))
    assert bodies == {"<l1@x>": "“Café” ok", "<w1@x>": "Harga €5", "<gb@x>": "你好，价格多少？"}
    assert Conversation.objects.filter(subject="你好").exists()


def _bounce(original_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.tokoxyz.test>\r\n"
        "To: halo@tokoxyz.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce1@mx.tokoxyz.test>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.tokoxyz.test\r\n\r\n"
        "Final-Recipient: rfc822; siti@contoh.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: halo@tokoxyz.test\r\nTo: siti@contoh.test\r\nMessage-ID: {original_id}\r\n"
        "--B--\r\n"
    ).encode()


def test_bounces_and_auto_replies_are_recognised_and_leave_nobody_waiting(
    personas, mailbox, django_capture_on_commit_callbacks
):
    from relasi.conversations import actions

    siti = person(personas.rep, "Siti", "Rahayu", emails=["siti@contoh.test"])
    mailbox.deliver(raw(mail()))
    imap_sync.sync_inbox(mailbox.inbox)
    conv = Conversation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        out = actions.reply(personas.rep, conv, "Ada, kak.")
    out.refresh_from_db()
    away = mail(subject="Out of office", body="Saya cuti sampai Senin.",
                Auto_Submitted="auto-replied", In_Reply_To=out.external_id)  # fmt: skip
    newsletter = mail("info@promo.test", "Promo", "Diskon!", Precedence="bulk")
    mailbox.deliver(raw(away), _bounce(out.external_id), raw(newsletter))
    customers_before = Customer.objects.count()

    assert imap_sync.sync_inbox(mailbox.inbox).stored == 3

    kinds = dict(Message.objects.filter(direction="in").values_list("external_id", "kind"))
    assert kinds[str(away["Message-ID"])] == MessageKind.AUTO_REPLY
    assert kinds["<bounce1@mx.tokoxyz.test>"] == MessageKind.BOUNCE
    assert kinds[str(newsletter["Message-ID"])] == MessageKind.AUTO_REPLY
    bounce = Message.objects.get(external_id="<bounce1@mx.tokoxyz.test>")
    assert bounce.conversation == conv  # threaded by the bounced original's Message-ID
    assert bounce.meta["bounce"] == {
        "final_recipient": "siti@contoh.test", "action": "failed", "status": "5.1.1"
    }  # fmt: skip
    assert Message.objects.get(external_id=str(away["Message-ID"])).conversation == conv
    assert not Conversation.objects.waiting_on_us().exists()
    assert Customer.objects.count() == customers_before  # no contact for a robot
    promo = Conversation.objects.get(subject="Promo")
    assert promo.customer is None and promo.first_response_due is None
    assert conv.customer == siti


@pytest.mark.parametrize(
    "headers,kind",
    [
        ({"Auto-Submitted": "no"}, MessageKind.NORMAL),
        ({"Auto-Submitted": "auto-generated"}, MessageKind.AUTO_REPLY),
        ({"X-Autoreply": "yes"}, MessageKind.AUTO_REPLY),
        ({"Precedence": "auto_reply"}, MessageKind.AUTO_REPLY),
        ({"Precedence": "list"}, MessageKind.NORMAL),
    ],
)
def test_auto_reply_headers(headers, kind):
    from relasi.conversations import mime

    m = mail()
    for key, value in headers.items():
        m[key] = value
    assert mime.parse(raw(m)).kind == kind


def test_html_mail_is_sanitised_and_its_inline_image_kept(personas, mailbox):
    m = EmailMessage()
    m["From"] = "a@contoh.test"
    m["Subject"] = "Promo"
    m["Message-ID"] = "<html1@contoh.test>"
    m.set_content(
        '<p>Halo <b>kak</b></p><script>alert("x")</script>'
        '<img src="cid:logo@contoh.test" onerror="steal()"><a href="javascript:evil()">x</a>',
        subtype="html",
    )
    m.add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<logo@contoh.test>")
    mailbox.deliver(raw(m))
    assert imap_sync.sync_inbox(mailbox.inbox).stored == 1
    msg = Message.objects.get()
    assert "<script" not in msg.body_html and "onerror" not in msg.body_html
    assert "javascript:" not in msg.body_html and "<b>kak</b>" in msg.body_html
    assert msg.body.startswith("Halo kak") and "alert" not in msg.body
    (img,) = msg.attachments.all()
    assert img.content_id == "logo@contoh.test" and img.content_type == "image/png"


def test_connection_problems_are_recorded_not_raised(personas, mailbox):
    box = mailbox.inbox
    box.set_secrets({"imap_password": "wrong"})
    box.save()
    result = imap_sync.sync_inbox(box)
    box.refresh_from_db()
    assert result.error and "AUTHENTICATIONFAILED" in box.last_error
    box.config["imap_host"] = ""
    box.save()
    assert "IMAP host" in imap_sync.sync_inbox(box).error


def test_a_password_is_never_sent_unencrypted_to_another_machine(personas):
    from relasi.conversations.tests.factories import inbox

    box = inbox(config={"imap_host": "192.0.2.10", "imap_user": "u", "imap_ssl": "none"})
    box.set_secrets({"imap_password": "p"})
    with pytest.raises(imap_sync.ImapConfigError):
        imap_sync.connect(box)


def test_folder_names_and_uid_sets():
    assert imap_sync.mailbox_name('Kotak "Masuk"') == '"Kotak \\"Masuk\\""'
    assert imap_sync.mailbox_name("Terkirim & Arsip") == '"Terkirim &- Arsip"'
    assert imap_sync.mailbox_name("Entwürfe") == '"Entw&APw-rfe"'
    assert imap_sync.uid_set([5, 1, 2, 3, 9, 10]) == "1:3,5,9:10"


def test_the_command_syncs_every_active_mailbox(personas, mailbox, capsys):
    mailbox.deliver(raw(mail()))
    call_command("sync_mailboxes")
    assert Message.objects.count() == 1
    call_command("sync_mailboxes", "--inbox", str(mailbox.inbox.pk))
    out = capsys.readouterr().out
    assert "1 fetched" in out and "0 fetched" in out


def test_the_task_wraps_the_sync(personas, mailbox):
    from relasi.conversations.tasks import sync_mailbox

    mailbox.deliver(raw(mail()))
    result = sync_mailbox.call(mailbox.inbox.pk)
    assert result["stored"] == 1 and Message.objects.count() == 1


def test_a_forwarded_mail_is_one_file_and_split_text_is_joined():
    from relasi.conversations import mime

    inner = mail("Other <other@lain.test>", "Asli", "Teks surat yang diteruskan.")
    inner.add_attachment(b"%PDF inner", maintype="application", subtype="pdf", filename="in.pdf")
    m = EmailMessage()
    m["From"] = "siti@contoh.test"
    m["Subject"] = "Fwd: Asli"
    m["Message-ID"] = "<fwd1@contoh.test>"
    m.set_content("Bagian pertama.")
    m.add_attachment(b"\x89PNG", maintype="image", subtype="png", disposition="inline")
    m.add_attachment("Bagian kedua.", disposition="inline")
    m.add_attachment(inner)
    parsed = mime.parse(raw(m))
    assert parsed.body == "Bagian pertama.\nBagian kedua."
    names = sorted(f.name for f in parsed.attachments)
    assert names == ["attachment.png", "message.eml"]  # the forwarded PDF stays inside the .eml
    eml = next(f for f in parsed.attachments if f.name == "message.eml")
    assert b"Teks surat yang diteruskan." in eml.content and b"in.pdf" in eml.content


@pytest.mark.parametrize("env,outcome", [({}, "skip"), ({"CI": "true"}, "fail")])
def test_without_dovecot_the_tests_skip_except_in_ci(monkeypatch, env, outcome):
    from relasi.conversations.tests import conftest, imap_server

    monkeypatch.setattr(imap_server, "dovecot_binary", lambda: None)
    for key in ("CI", "RELASI_REQUIRE_IMAP"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    expected = pytest.skip.Exception if outcome == "skip" else pytest.fail.Exception
    with pytest.raises(expected, match="apt-get install -y dovecot-imapd"):
        conftest.new_server()
