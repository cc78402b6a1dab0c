"""E-mail replies: threaded (In-Reply-To / References on the customer's last message), from the
inbox's address, through Relasi's outbox (core.mail: queued with the message, retried, the
suppression list applied as the last net) — or, when the inbox has its own SMTP server
(config smtp_host, smtp_port, smtp_user, smtp_security; secret smtp_password), straight to it,
retried by `actions.deliver`. With config imap_sent_folder set, a copy of each reply is
appended to that IMAP folder, so the mailbox's other readers see what was answered."""

import datetime as dt
import imaplib
import logging
from email.utils import formataddr
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.utils.translation import gettext as _

from relasi.conversations import channels
from relasi.conversations.choices import ChannelKind, Direction

log = logging.getLogger("relasi.conversations.email")


def reply_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        return ""
    return subject if subject.lower().startswith(("re:", "aw:", "balas:")) else f"Re: {subject}"


class EmailAdapter:
    kind: str = ChannelKind.EMAIL

    def build(self, inbox: Any, message: Any) -> EmailMessage:
        conv = message.conversation
        domain = inbox.address.rpartition("@")[2] or None
        msgid = message.external_id or make_msgid(domain=domain)
        headers = {"Message-ID": msgid}
        parent = (
            conv.messages.filter(direction=Direction.INBOUND)
            .exclude(external_id="")
            .order_by("-created_at", "-id")
            .first()
        )
        if parent is not None:
            headers["In-Reply-To"] = parent.external_id
            headers["References"] = " ".join([*parent.references.split(), parent.external_id][-20:])
        mail = EmailMessage(
            reply_subject(conv.subject),
            message.body,
            formataddr((inbox.name, inbox.address)) if inbox.address else None,
            [conv.contact_address],
            headers=headers,
        )
        for a in message.attachments.all():
            with a.file.open("rb") as fh:
                mail.attach(a.name, fh.read(), a.content_type)
        return mail

    def send(self, inbox: Any, message: Any) -> channels.SendResult:
        mail = self.build(inbox, message)
        if (inbox.config or {}).get("smtp_host"):
            from relasi.privacy import suppression

            if suppression.is_suppressed("email", message.conversation.contact_address):
                sent = 0
            else:
                sent = smtp_mailer(inbox).send_messages([mail])
        else:
            sent = mail.send()
        if not sent:
            return channels.SendResult(
                False, error="The address is on the suppression list.", retry=False
            )
        meta: dict[str, Any] = {}
        if (inbox.config or {}).get("imap_sent_folder"):
            meta["sent_folder"] = append_to_sent(inbox, mail)
        return channels.SendResult(True, external_id=mail.extra_headers["Message-ID"], meta=meta)

    def freeform_until(self, conversation: Any) -> dt.datetime | None:
        return None


def smtp_mailer(inbox: Any) -> Any:
    """The inbox's own SMTP server (Django 6.1: a mailer instance, not get_connection())."""
    from django.core.mail.backends.smtp import EmailBackend

    from relasi.conversations.imap_sync import is_loopback

    cfg = inbox.config or {}
    security = str(cfg.get("smtp_security") or "starttls").lower()
    if security not in ("ssl", "starttls", "none"):
        raise channels.ChannelNotConfigured(_("SMTP encryption must be ssl, starttls or none."))
    password = inbox.secret("smtp_password")
    if security == "none" and password and not is_loopback(cfg["smtp_host"]):
        raise channels.ChannelNotConfigured(
            _("Refusing to send the SMTP password unencrypted: use ssl or starttls.")
        )
    return EmailBackend(
        alias=f"inbox-{inbox.pk}",
        host=cfg["smtp_host"],
        port=int(cfg.get("smtp_port") or {"ssl": 465, "starttls": 587}.get(security, 25)),
        username=cfg.get("smtp_user") or None,
        password=password or None,
        use_ssl=security == "ssl",
        use_tls=security == "starttls",
        timeout=20,
    )


def append_to_sent(inbox: Any, mail: EmailMessage) -> str:
    """APPEND the reply to the inbox's Sent folder; the reply is out already, so a failure is
    logged and reported in the message's meta, never a failed send."""
    from relasi.conversations import imap_sync

    folder = str(inbox.config["imap_sent_folder"])
    try:
        conn = imap_sync.connect(inbox)
        try:
            typ, data = conn.append(
                imap_sync.mailbox_name(folder), r"(\Seen)", None, mail.message().as_bytes()
            )
        finally:
            conn.logout()
        if typ != "OK":
            raise imaplib.IMAP4.error(f"APPEND {typ} {data!r}")
    except Exception as exc:
        log.warning(
            "sent-folder append failed",
            extra={"event": "imap.append_failed", "inbox": inbox.pk, "error": repr(exc)[:300]},
        )
        return "failed"
    return "appended"


channels.register(EmailAdapter())
