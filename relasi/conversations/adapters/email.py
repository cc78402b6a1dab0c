"""E-mail replies: threaded (In-Reply-To / References on the customer's last message), from the
inbox's address, through Relasi's outbox (core.mail: queued with the message, retried, the
suppression list applied as the last net)."""

import datetime as dt
from email.utils import formataddr
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid

from relasi.conversations import channels
from relasi.conversations.choices import ChannelKind, Direction


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
        sent = mail.send()
        if not sent:
            return channels.SendResult(
                False, error="The address is on the suppression list.", retry=False
            )
        return channels.SendResult(True, external_id=mail.extra_headers["Message-ID"])

    def freeform_until(self, conversation: Any) -> dt.datetime | None:
        return None


channels.register(EmailAdapter())
