"""Retention policies (how long each record type is kept, then anonymised or deleted) and the
report of every run that applied them (relasi/privacy/retention.py)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import TimestampedModel, VersionedModel
from relasi.privacy.choices import RetentionAction, RetentionRunStatus, RetentionTrigger
from relasi.privacy.models.ropa import ProcessingActivity


class RetentionPolicy(TimestampedModel, VersionedModel):
    """One record type's retention: records older than `months` (by the date the record type
    names, with its extra condition) are anonymised or deleted. One policy per record type."""

    record_type = models.CharField(_("record type"), max_length=60, unique=True)
    months = models.PositiveIntegerField(
        _("keep for (months)"), validators=[MinValueValidator(1), MaxValueValidator(1200)]
    )
    action = models.CharField(
        _("then"), max_length=10, choices=RetentionAction.choices, default=RetentionAction.ANONYMISE
    )
    active = models.BooleanField(_("active"), default=True)
    processing = models.ForeignKey(
        ProcessingActivity,
        verbose_name=_("processing activity (ROPA)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retention_policies",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    last_run_counts = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return str(self.record.label) if self.record else self.record_type

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("privacy:retention_preview", args=[self.pk])

    @property
    def record(self):  # type: ignore[no-untyped-def]
        from relasi.privacy.retention import get_type

        return get_type(self.record_type)


class RetentionRun(models.Model):
    """One application (or dry run) of one or more policies, with its report:
    `report` is a list of {policy, record_type, action, matched, anonymised, deleted, skipped,
    reasons: {reason: n}, seconds} in the order the policies ran."""

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trigger = models.CharField(
        _("trigger"),
        max_length=10,
        choices=RetentionTrigger.choices,
        default=RetentionTrigger.MANUAL,
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RetentionRunStatus.choices,
        default=RetentionRunStatus.QUEUED,
    )
    policy_ids = models.JSONField(default=list, blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)
    error = models.TextField(blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_trigger_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("privacy:retention_run", args=[self.pk])

    def total(self, key: str) -> int:
        return sum(int(part.get(key, 0)) for part in self.report)

    @property
    def totals(self) -> dict[str, int]:
        return {k: self.total(k) for k in ("matched", "anonymised", "deleted", "skipped")}

    @property
    def parts(self) -> list[dict]:
        """The report with the actions' labels in the reader's language."""
        labels = dict(RetentionAction.choices)
        return [{**part, "action_label": labels.get(part["action"], "")} for part in self.report]

    @property
    def seconds(self) -> float:
        return round(sum(float(part.get("seconds", 0)) for part in self.report), 2)
