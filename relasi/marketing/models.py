"""Marketing: dynamic segments (a rule tree compiled to a queryset over people), their frozen
snapshots for a send, and the per-customer model scores copied from the analytics mart."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import BaseRecord


def empty_rule() -> dict:
    return {"op": "and", "rules": []}


class Segment(BaseRecord):
    """A dynamic segment: people who match `rule` now (see relasi/marketing/rules.py for the
    JSON shape). The count is cached with the time it was taken; the members are always live."""

    name = models.CharField(_("name"), max_length=150)
    description = models.CharField(_("description"), max_length=500, blank=True)
    rule = models.JSONField(_("rule"), default=empty_rule)
    last_count = models.PositiveIntegerField(_("members (last count)"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [models.Index(fields=["owner", "name"], name="segment_owner_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("marketing:segment_detail", args=[self.pk])


class SegmentSnapshot(models.Model):
    """The members of a segment frozen at one moment (what a campaign sends to), so a send is
    reproducible and a later change of the rule or of the data does not move its audience."""

    access_via = "segment"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="snapshots")
    name = models.CharField(_("name"), max_length=150, blank=True)
    rule = models.JSONField(_("rule at the time"), default=empty_rule)
    size = models.PositiveIntegerField(_("members"), default=0)
    created_at = models.DateTimeField(_("taken"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("segment snapshot")
        verbose_name_plural = _("segment snapshots")

    def __str__(self) -> str:
        return self.name or f"{self.segment} · {self.created_at:%Y-%m-%d %H:%M}"


class SnapshotMember(models.Model):
    """One person in a snapshot."""

    snapshot = models.ForeignKey(SegmentSnapshot, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("snapshot member")
        verbose_name_plural = _("snapshot members")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "customer"], name="snapshot_member_unique")
        ]
        indexes = [models.Index(fields=["customer"], name="snapshot_member_customer_idx")]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.customer_id}"


class CustomerScore(models.Model):
    """A customer's RFM segment, CLV and churn risk as of the last mart refresh (a copy of the
    mart's ins_rfm / ins_clv / ins_churn rows, kept for segment conditions)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    rfm_segment = models.CharField(_("RFM segment"), max_length=30, blank=True)
    clv = models.FloatField(_("CLV"), null=True, blank=True)
    clv_band = models.CharField(_("CLV band"), max_length=10, blank=True)
    churn_risk = models.FloatField(_("churn risk"), null=True, blank=True)
    churn_band = models.CharField(_("churn risk band"), max_length=10, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"), default=timezone.now)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        indexes = [
            models.Index(fields=["rfm_segment", "customer"], name="score_rfm_idx"),
            models.Index(fields=["clv_band", "customer"], name="score_clv_idx"),
            models.Index(fields=["churn_band", "customer"], name="score_churn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.rfm_segment or '-'}"
