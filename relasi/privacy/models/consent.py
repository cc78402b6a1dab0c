"""The consent ledger: append-only events, the current state derived from them, the
suppression list and the log of messages sent (for weekly caps).

`ConsentEvent` rows are never changed or deleted (`save()` refuses an update); the current
state per (customer, purpose, channel) is `ConsentState`, written in the same transaction as the
event that changes it (relasi/privacy/consent.py) and rebuildable from the ledger at any time
(`manage.py rebuild_consent_state`). The state of a triple is its newest event by
(`occurred_at`, `id`): an event recorded late with an earlier time (an import of old consents)
does not override a newer one."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.privacy.choices import Channel, ConsentSource, ConsentStatus, LawfulBasis


class ConsentEvent(models.Model):
    access_via = "customer"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consent_events"
    )
    purpose = models.ForeignKey(
        "privacy.Purpose",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("purpose"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    basis = models.CharField(
        _("lawful basis"), max_length=25, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT
    )
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    wording = models.TextField(_("wording shown"), blank=True, max_length=2000)
    wording_version = models.CharField(_("wording version"), max_length=40, blank=True)
    # IP address, the message id of a reply, the call, the import file and line …
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [
            models.Index(
                fields=["customer", "purpose", "channel", "occurred_at"], name="consent_event_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id}/{self.channel}: {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_erasure", False):
            raise PermissionError("The consent ledger is append-only; record a new event.")
        super().save(*args, **kwargs)


class ConsentState(models.Model):
    """The current consent of one (customer, purpose, channel): a copy of its newest event."""

    access_via = "customer"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consent_states"
    )
    purpose = models.ForeignKey("privacy.Purpose", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    event = models.ForeignKey(ConsentEvent, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose", "channel"], name="consent_state_unique"
            )
        ]
        # The campaign query: everyone with a granted consent for (purpose, channel).
        indexes = [
            models.Index(
                fields=["purpose", "channel", "status", "customer"], name="consent_state_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id}/{self.channel}: {self.status}"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed (no record)")
    BOUNCED = "bounced", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    STOP = "stop", _("Replied STOP")
    ERASED = "erased", _("Person erased")
    MANUAL = "manual", _("Added by staff")


class Suppression(models.Model):
    """An address never to be contacted on a channel, whoever it belongs to: hard bounces,
    complaints, a STOP from a number Relasi does not know, an address added by staff."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The normalised address: lower-case e-mail, E.164 phone.
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=15, choices=SuppressionReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="suppression_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.address}"


class ContactLog(models.Model):
    """One message sent to a customer (the gate counts these for the weekly caps)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    purpose = models.ForeignKey("privacy.Purpose", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")
        indexes = [
            models.Index(fields=["customer", "channel", "sent_at"], name="contact_log_idx"),
            models.Index(fields=["channel", "sent_at"], name="contact_log_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.sent_at:%Y-%m-%d %H:%M}"
