"""The breach register (UU PDP art. 46, GDPR art. 33/34): incidents, their notification clock
and the frozen list of the people who were told."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import TimestampedModel, VersionedModel
from relasi.privacy.choices import AffectedScope, BreachRisk, BreachStatus, DataCategory


def default_notify_hours() -> int:
    """UU PDP art. 46(1): "paling lambat 3 x 24 (tiga kali dua puluh empat) jam"."""
    return int(getattr(settings, "PRIVACY_BREACH_NOTIFY_HOURS", 72))


@dataclass(frozen=True)
class Clock:
    """Where an incident stands against its notification deadline at one moment."""

    deadline: dt.datetime
    seconds_left: int  # negative once overdue (or, when stopped, at the time it stopped)
    stopped: bool  # authority and people both notified (or the incident closed)

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


class BreachIncident(TimestampedModel, VersionedModel):
    """A personal data breach ("kegagalan pelindungan data pribadi"): what happened, which data
    and which people it touched, what was done, and when the authority and the people were told.
    The people are a saved query of the people list until they are notified; then their ids are
    frozen (`BreachSubject`) so later edits to customers do not change who was told."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True, max_length=20000)
    discovered_at = models.DateTimeField(_("discovered at"), default=timezone.now)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    occurred_approximate = models.BooleanField(_("occurrence time is approximate"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_breaches",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BreachStatus.choices, default=BreachStatus.OPEN
    )
    risk = models.CharField(
        _("risk to the people"), max_length=10, choices=BreachRisk.choices, default=BreachRisk.HIGH
    )
    data_categories = models.JSONField(_("affected data"), default=list, blank=True)
    affected_scope = models.CharField(
        _("affected people"),
        max_length=10,
        choices=AffectedScope.choices,
        default=AffectedScope.UNKNOWN,
    )
    affected_query = models.CharField(
        _("people filter"),
        max_length=2000,
        blank=True,
        help_text=_("The people list's filter: copy its address after filtering it."),
    )
    affected_count = models.PositiveIntegerField(
        _("affected people (count)"), null=True, blank=True
    )
    affected_counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    snapshot_at = models.DateTimeField(_("list of people frozen at"), null=True, blank=True)
    measures = models.TextField(_("handling and recovery"), blank=True, max_length=20000)
    consequences = models.TextField(_("likely consequences"), blank=True, max_length=20000)
    advice = models.TextField(_("advice to the people"), blank=True, max_length=20000)
    notify_within_hours = models.PositiveSmallIntegerField(
        _("notify within (hours)"), default=default_notify_hours
    )
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(
        _("authority notice reference"), max_length=200, blank=True
    )
    people_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)
    people_notice_channel = models.CharField(
        _("how the people were told"), max_length=200, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The reminder clock: each is written once, by a conditional UPDATE, before its message.
    reminded_24_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_48_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        verbose_name = _("breach incident")
        verbose_name_plural = _("breach incidents")
        indexes = [
            models.Index(fields=["status", "discovered_at"], name="breach_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notify_within_hours__gte=1), name="breach_notify_hours_min"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}" if self.pk else self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("privacy:breach_detail", args=[self.pk])

    @property
    def deadline(self) -> dt.datetime:
        return self.discovered_at + dt.timedelta(hours=self.notify_within_hours)

    @property
    def fully_notified(self) -> bool:
        return self.authority_notified_at is not None and self.people_notified_at is not None

    def clock(self, now: dt.datetime | None = None) -> Clock:
        """The notification clock. It stops when both notices are recorded (measured at the later
        of the two) or when the incident is closed."""
        deadline = self.deadline
        stopped_at: dt.datetime | None = None
        if self.fully_notified:
            stopped_at = max(self.authority_notified_at, self.people_notified_at)  # type: ignore[type-var]
        elif self.status == BreachStatus.CLOSED:
            stopped_at = self.closed_at or self.updated_at
        at = stopped_at or now or timezone.now()
        return Clock(deadline, int((deadline - at).total_seconds()), stopped_at is not None)

    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels[c]) for c in self.data_categories if c in labels]


class BreachSubject(models.Model):
    """One person on the frozen list of an incident (written when the people are notified).
    The customer id is kept as a number, not a foreign key: the list says who was told even if
    the customer is later merged or erased."""

    incident = models.ForeignKey(BreachIncident, on_delete=models.CASCADE, related_name="subjects")
    customer_id = models.BigIntegerField(_("customer id"))

    class Meta:
        verbose_name = _("affected person")
        verbose_name_plural = _("affected people")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "customer_id"], name="breach_subject_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.customer_id}"
