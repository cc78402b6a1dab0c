"""Data-subject requests (UU PDP art. 5–13 and 32–44, GDPR art. 12–22): who asked for what,
how their identity was checked, who handles it and the deadline clock."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import TimestampedModel, VersionedModel

DEFAULT_HOURS = 72  # UU PDP art. 30, 32, 40, 41: "3 x 24 jam"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (copy of the data)")
    EXPORT = "export", _("Export (portability)")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection / consent withdrawal")
    RESTRICTION = "restriction", _("Restriction of processing")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFYING = "verifying", _("Verifying identity")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.VERIFYING, RequestStatus.IN_PROGRESS)


class RequestChannel(models.TextChoices):
    STAFF = "staff", _("Staff")
    PORTAL = "portal", _("Customer portal")
    API = "api", _("API")


class VerificationMethod(models.TextChoices):
    PORTAL = "portal", _("Signed in to the portal")
    ID_DOCUMENT = "id_document", _("ID document checked")
    EMAIL_LINK = "email_link", _("E-mail link")
    IN_PERSON = "in_person", _("In person")


def hours_for(kind: str) -> int:
    """The deadline of a request type: PRIVACY_DSR_HOURS = {"erasure": 72, ...} (default 72)."""
    configured = getattr(settings, "PRIVACY_DSR_HOURS", {}) or {}
    return max(1, int(configured.get(kind, configured.get("default", DEFAULT_HOURS))))


@dataclass(frozen=True)
class RequestClock:
    deadline: dt.datetime
    seconds_left: int  # negative once overdue (for a closed request: at the time it closed)
    stopped: bool

    @property
    def overdue(self) -> bool:
        return self.seconds_left < 0

    @property
    def state(self) -> str:
        if self.stopped:
            return "late" if self.overdue else "met"
        if self.overdue:
            return "overdue"
        return "urgent" if self.seconds_left < 24 * 3600 else "running"


class DataRequest(TimestampedModel, VersionedModel):
    """One request of a data subject. Linked to the customer once matched; until then only the
    requester's contact details say who asked. Nothing is disclosed or erased before
    `verified_at` is set."""

    access_via = "customer"

    kind = models.CharField(_("request type"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    channel = models.CharField(
        _("received through"),
        max_length=10,
        choices=RequestChannel.choices,
        default=RequestChannel.STAFF,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    requester_name = models.CharField(_("requester's name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=40, blank=True)
    details = models.TextField(_("what is asked"), blank=True, max_length=5000)
    purposes = models.JSONField(_("purposes objected to"), default=list, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_hours = models.PositiveSmallIntegerField(_("answer within (hours)"), default=DEFAULT_HOURS)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_data_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_method = models.CharField(
        _("identity verified by"), max_length=12, choices=VerificationMethod.choices, blank=True
    )
    verification_note = models.CharField(_("verification note"), max_length=300, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("outcome / reason"), blank=True, max_length=5000)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    erase_after = models.DateTimeField(_("erasure scheduled for"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # The reminder clock: each is claimed once, by a conditional UPDATE, before its message.
    reminded_24_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_48_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        indexes = [
            models.Index(fields=["status", "received_at"], name="dsr_status_idx"),
            models.Index(fields=["customer", "received_at"], name="dsr_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_hours__gte=1), name="dsr_hours_min"),
        ]

    def __str__(self) -> str:
        return f"DSR-{self.pk or 0:05d} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("privacy:dsr_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"DSR-{self.pk or 0:05d}"

    @property
    def deadline(self) -> dt.datetime:
        return self.received_at + dt.timedelta(hours=self.due_hours)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def clock(self, now: dt.datetime | None = None) -> RequestClock:
        stopped_at = None if self.is_open else (self.closed_at or self.updated_at)
        at = stopped_at or now or timezone.now()
        seconds = int((self.deadline - at).total_seconds())
        return RequestClock(self.deadline, seconds, stopped_at is not None)
