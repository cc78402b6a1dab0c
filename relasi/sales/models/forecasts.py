"""Quotas and forecast snapshots (what was forecast at a moment, for accuracy later)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.sales.choices import ForecastScope, PeriodKind
from relasi.sales.models.products import default_currency


class Quota(models.Model):
    """A sales target for one rep or one team over one month or quarter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    period_kind = models.CharField(
        _("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    period_start = models.DateField(_("period start"))
    amount = models.DecimalField(_("quota"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "team", "user"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(user__isnull=True) & Q(team__isnull=False)),
                name="quota_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["user", "period_kind", "period_start"],
                condition=Q(user__isnull=False),
                name="quota_unique_user_period",
            ),
            models.UniqueConstraint(
                fields=["team", "period_kind", "period_start"],
                condition=Q(team__isnull=False),
                name="quota_unique_team_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} {self.period_start:%Y-%m}: {self.amount}"


class ForecastSnapshot(models.Model):
    """The forecast for a period as it stood at `taken_at` (manage.py snapshot_forecasts)."""

    taken_at = models.DateTimeField(_("taken"), default=timezone.now, db_index=True)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    scope = models.CharField(_("scope"), max_length=10, choices=ForecastScope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    weighted = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    commit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    best_case = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    pipeline = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    closed_won = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal(0))
    quota = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    open_deals = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")
        indexes = [
            models.Index(
                fields=["period_kind", "period_start", "scope", "taken_at"],
                name="snapshot_period_idx",
            )
        ]

    def __str__(self) -> str:
        who = self.user or self.team or _("company")
        return f"{self.period_start:%Y-%m} {who} @ {self.taken_at:%Y-%m-%d}"
