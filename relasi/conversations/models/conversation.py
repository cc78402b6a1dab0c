"""Conversations (threads with one person on one channel) and their messages."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.conversations.choices import (
    ACTIVE_STATUSES,
    ChannelKind,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    MessageKind,
    Sentiment,
)
from relasi.conversations.models.inbox import Inbox
from relasi.core.models import BaseRecord
from relasi.service.choices import Priority


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def active(self) -> "ConversationQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def waiting_on_us(self) -> "ConversationQuerySet":
        return self.filter(status=ConversationStatus.OPEN, waiting_since__isnull=False)

    def sla_breached(self, now: Any = None) -> "ConversationQuerySet":
        now = now or timezone.now()
        first = Q(first_responded_at__isnull=True, first_response_due__lt=now)
        resolution = Q(resolved_at__isnull=True, resolution_due__lt=now)
        return self.active().filter(first | resolution)


class Conversation(BaseRecord):
    """A thread with one person on one channel. `owner` is the assigned agent (so own/team
    visibility works as everywhere) and `team` the inbox's team.

    `waiting_since` is set when the customer writes and we owe an answer, cleared by our reply:
    the "waiting on us" filter and the first-response clock read it. `last_inbound_at` opens
    WhatsApp's 24-hour customer-service window. SLA due times are stored (computed with the
    service app's business hours) so lists and sweeps are plain SQL."""

    inbox = models.ForeignKey(
        Inbox, verbose_name=_("inbox"), on_delete=models.PROTECT, related_name="conversations"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    lead = models.ForeignKey(
        "sales.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    ticket = models.ForeignKey(
        "service.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    contact_address = models.CharField(_("address"), max_length=254, db_index=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    thread_key = models.CharField(max_length=300, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    last_inbound_at = models.DateTimeField(_("last customer message"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    preview = models.CharField(max_length=200, blank=True, editable=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["status", "-last_message_at", "-id"], name="conv_status_idx"),
            # Newest first per assignee / team; the status is checked while walking the index
            # (a status column in the middle would make "all active" sort every row).
            models.Index(fields=["owner", "-last_message_at", "-id"], name="conv_owner_recent_idx"),
            models.Index(fields=["team", "-last_message_at", "-id"], name="conv_team_recent_idx"),
            models.Index(fields=["inbox", "contact_address", "status"], name="conv_thread_idx"),
            models.Index(fields=["inbox", "thread_key"], name="conv_thread_key_idx"),
            models.Index(fields=["-last_message_at", "-id"], name="conv_recent_idx"),
        ]

    def __str__(self) -> str:
        who = self.display_name
        return f"{who} · {self.subject}" if self.subject else who

    @property
    def display_name(self) -> str:
        """Who the conversation is with, as agents read it (a web visitor has only an id)."""
        if self.contact_name:
            return self.contact_name
        if self.channel == ChannelKind.WEBCHAT:
            return str(_("Website visitor"))
        return self.contact_address

    def get_absolute_url(self) -> str:
        return reverse("conversations:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def attachment_path(instance: Any, filename: str) -> str:
    return f"conversations/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Message(models.Model):
    """One message of a conversation: from the customer, to the customer, or an internal note.

    `external_id` is the channel's own id (an e-mail's Message-ID, a WhatsApp wamid, the SMS
    gateway's id): unique per inbox, so a webhook delivered twice or a mailbox synced again
    stores the message once. `status` only moves forward (choices.DELIVERY_RANK)."""

    access_via = "conversation"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    inbox = models.ForeignKey(Inbox, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    kind = models.CharField(
        _("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.NORMAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender = models.CharField(_("from"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(blank=True, help_text="sanitised on arrival")
    external_id = models.CharField(max_length=255, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    status_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment.choices, blank=True
    )
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "external_id"],
                condition=~Q(external_id=""),
                name="message_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="message_thread_idx"),
            # The unique constraint's index is partial, and SQLite uses it only when a query
            # repeats its condition: without this one, every "seen this id?" scanned the inbox.
            models.Index(fields=["inbox", "external_id"], name="message_external_idx"),
        ]

    def __str__(self) -> str:
        return (self.body or "")[:60] or str(self.pk)


class MessageAttachment(models.Model):
    """A file of a message, stored outside the web root under a random name, served only
    through the access-checked view. `content_id` marks an inline image of an HTML e-mail."""

    access_via = "message__conversation"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    content_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
