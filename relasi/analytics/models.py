"""Analytics bookkeeping in the operational database: the mart's refresh lock and log, cost
entries (for CAC) and saved, shared and scheduled reports. The mart itself is a DuckDB file
(see `mart.py`)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.analytics.choices import CostKind, Frequency, RefreshStatus, ReportFormat
from relasi.commerce.choices import SalesChannel


class MartLock(models.Model):
    """One row: who holds the refresh lease until when. Taken with a conditional UPDATE (atomic
    on SQLite and PostgreSQL), so only one refresh runs at a time across processes and
    machines, and a crashed holder's lease simply expires.

    The same row debounces automatic refreshes (after imports and batch API calls):
    `queued_until` is set while a refresh task waits in the queue, and `wanted_at` records the
    last change that asked for one, so a refresh that was already running when the change
    arrived queues one follow-up when it ends (see `refresh.request`)."""

    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    queued_until = models.DateTimeField(null=True, blank=True)
    wanted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mart lock")
        verbose_name_plural = _("mart locks")

    def __str__(self) -> str:
        return self.holder or "-"


class MartRefresh(models.Model):
    """One refresh of the data mart: when, how long, what it copied, where it stopped."""

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RefreshStatus.choices, default=RefreshStatus.RUNNING
    )
    full = models.BooleanField(_("full rebuild"), default=False)
    trigger = models.CharField(_("trigger"), max_length=30, blank=True)
    generation = models.PositiveIntegerField(_("generation"), null=True, blank=True)
    rows = models.JSONField(_("rows changed per table"), default=dict, blank=True)
    totals = models.JSONField(_("rows per table"), default=dict, blank=True)
    watermarks = models.JSONField(_("watermarks"), default=dict, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("mart refresh")
        verbose_name_plural = _("mart refreshes")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"


class CostEntry(models.Model):
    """Marketing or sales cost of a period (the numerator of CAC). A cost is spread evenly over
    its days, so a KPI period that covers part of it gets that part."""

    kind = models.CharField(_("kind"), max_length=20, choices=CostKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until (inclusive)"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    channel = models.CharField(
        _("channel"), max_length=20, choices=SalesChannel.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "kind"]
        verbose_name = _("cost entry")
        verbose_name_plural = _("cost entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="costentry_period"
            ),
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)), name="costentry_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"


class Report(models.Model):
    """A saved report-builder query (fact, dimensions, measures, filters, chart), private to its
    owner unless shared with roles; optionally e-mailed on a schedule."""

    name = models.CharField(_("name"), max_length=150)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports"
    )
    spec = models.JSONField(_("definition"), default=dict)
    shared_with = models.ManyToManyField(
        "accounts.Role", verbose_name=_("shared with roles"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Schedule (optional)
    frequency = models.CharField(
        _("e-mail schedule"), max_length=10, choices=Frequency.choices, blank=True
    )
    send_format = models.CharField(
        _("attachment"), max_length=5, choices=ReportFormat.choices, default=ReportFormat.CSV
    )
    recipients = models.TextField(_("recipients (e-mail, one per line)"), blank=True)
    next_send_at = models.DateTimeField(_("next e-mail"), null=True, blank=True, db_index=True)
    last_sent_at = models.DateTimeField(_("last e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("analytics:report_detail", args=[self.pk])

    def recipient_list(self) -> list[str]:
        return [r.strip() for r in self.recipients.replace(",", "\n").splitlines() if r.strip()]


from relasi.analytics import models_insights  # noqa: E402, F401  (customer models, issue 8)
