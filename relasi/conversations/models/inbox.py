"""Inboxes: one per channel account (a mailbox, a WhatsApp Business number, a web-chat widget,
an SMS gateway number). Secrets are sealed at rest with the field keys (core.crypto)."""

import json
import secrets
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.conversations.choices import ChannelKind, UnknownSender


def _widget_key() -> str:
    return secrets.token_urlsafe(18)


class Inbox(models.Model):
    """A channel account whose messages land in the shared inbox.

    `config` holds the adapter's non-secret settings (IMAP host and folders, the WhatsApp
    phone-number id, the SMS gateway URL); `sealed_secrets` the secret ones (passwords, tokens,
    the app secret that signs webhooks), encrypted. `sync_state` is the adapter's watermark (an
    IMAP folder's UIDVALIDITY and last UID): committed with the messages it covers."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    address = models.CharField(
        _("address"),
        max_length=254,
        blank=True,
        help_text=_("The e-mail address, phone number or site this inbox answers as."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inboxes",
    )
    queue = models.ForeignKey(
        "service.Queue",
        verbose_name=_("routing queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inboxes",
        help_text=_("New conversations are assigned by this service queue's strategy."),
    )
    unknown_sender = models.CharField(
        _("unknown senders"),
        max_length=10,
        choices=UnknownSender.choices,
        default=UnknownSender.CONTACT,
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        default="id",
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), default=60
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), default=1440
    )
    active = models.BooleanField(_("active"), default=True)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    sealed_secrets = models.TextField(blank=True, editable=False)
    sync_state = models.JSONField(default=dict, blank=True, editable=False)
    widget_key = models.CharField(max_length=40, unique=True, default=_widget_key, editable=False)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("inbox")
        verbose_name_plural = _("inboxes")

    def __str__(self) -> str:
        return self.name

    def get_secrets(self) -> dict[str, Any]:
        from relasi.core import crypto

        if not self.sealed_secrets:
            return {}
        return json.loads(crypto.decrypt(self.sealed_secrets))

    def set_secrets(self, values: dict[str, Any]) -> None:
        from relasi.core import crypto

        clean = {k: v for k, v in values.items() if v not in (None, "")}
        self.sealed_secrets = str(crypto.encrypt(json.dumps(clean))) if clean else ""

    def secret(self, key: str, default: str = "") -> str:
        return str(self.get_secrets().get(key, default))


class InboundEvent(models.Model):
    """A signed channel webhook as it arrived, kept until its messages are stored: the webhook
    answers 200 once this row is committed and a worker stores what it holds in batches
    (conversations.inbound_queue). Stored events are deleted in the transaction that stored
    them; one that kept failing stays, with its error, for an administrator to look at."""

    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["inbox", "failed_at", "id"], name="conv_event_queue")]
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")

    def __str__(self) -> str:
        return f"{self.inbox_id}:{self.pk}"
