"""The event outbox and outbound webhooks.

`Event` is written in the transaction of the change it describes (relasi/core/events.py), so
a committed change always has its event and a rolled-back one never does. Each active
`WebhookEndpoint` subscribed to the event's type gets a `Delivery` in that same transaction;
the background worker sends it (webhooks/delivery.py) and logs every try as a
`DeliveryAttempt`."""

import base64
import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.webhooks.choices import DeliveryStatus


def _public_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


class Event(models.Model):
    """One change another system may hear about. `id` orders the feed; `uid` is the
    idempotency key a receiver de-duplicates on (the `webhook-id` header)."""

    uid = models.CharField(max_length=40, unique=True, default=_public_id, editable=False)
    type = models.CharField(_("event type"), max_length=60, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    record_key = models.CharField(max_length=120, db_index=True)  # "sales.deal:12"
    # Who could see the record when the event happened: the feed's visibility for records
    # deleted since.
    owner_id = models.IntegerField(null=True, blank=True)
    team_id = models.IntegerField(null=True, blank=True)
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    changed = models.JSONField(_("changed fields"), default=list, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.type} {self.record_key}"

    def envelope(self) -> dict:
        """The body every receiver gets (the feed's items are the same)."""
        model, _sep, pk = self.record_key.partition(":")
        return {
            "id": self.uid,
            "type": self.type,
            "timestamp": self.created_at.isoformat(),
            "record": {"type": model, "id": pk},
            "changed": self.changed,
            "data": self.data,
        }


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL that receives signed events of the types it subscribes to."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    sealed_secret = models.TextField(editable=False)
    active = models.BooleanField(_("active"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_endpoints",
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(
        _("disabled because"), max_length=300, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    audit_exclude = ("sealed_secret",)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    def get_secret(self) -> str:
        from relasi.core import crypto

        return crypto.decrypt(self.sealed_secret) if self.sealed_secret else ""

    def set_secret(self, value: str) -> None:
        from relasi.core import crypto

        self.sealed_secret = str(crypto.encrypt(value))

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class Delivery(models.Model):
    """One event for one endpoint; sent at least once, after the earlier events of the same
    record for the same endpoint."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    record_key = models.CharField(max_length=120)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("response"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_unique_event")
        ]
        indexes = [
            models.Index(fields=["endpoint", "record_key", "event"], name="delivery_chain_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One HTTP try of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(_("when"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("response"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("time (ms)"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response = models.CharField(_("response body"), max_length=500, blank=True)
    manual = models.BooleanField(_("manual"), default=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
