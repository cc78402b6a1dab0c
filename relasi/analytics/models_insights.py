"""Bookkeeping of the customer models (issue 8) in the operational database: model fits with
their parameters and quality, activity cost rates, event rules and the alerts they raised.
Per-customer scores live in the mart (ins_* tables), not here."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelKind(models.TextChoices):
    CLV = "clv", _("CLV (BG/NBD + Gamma-Gamma)")
    CHURN = "churn", _("Churn (logistic regression)")
    BASKET = "basket", _("Association rules")
    RFM = "rfm", _("RFM")


class ModelRun(models.Model):
    """One fit of a customer model: when, on what, the fitted parameters and how good it is.
    The latest successful churn run is the churn model version that scores customers."""

    kind = models.CharField(_("model"), max_length=20, choices=ModelKind.choices)
    fitted_at = models.DateTimeField(_("fitted"), default=timezone.now)
    as_of = models.DateField(_("data up to"))
    generation = models.PositiveIntegerField(_("mart generation"), null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=30, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    quality = models.JSONField(_("fit quality"), default=dict, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=True)

    class Meta:
        ordering = ["-fitted_at", "-id"]
        verbose_name = _("model run")
        verbose_name_plural = _("model runs")
        indexes = [models.Index(fields=["kind", "ok", "fitted_at"], name="modelrun_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.fitted_at:%Y-%m-%d %H:%M}"


class CostActivity(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit (meeting or appointment)")
    TICKET = "ticket", _("Service ticket")
    CAMPAIGN_MESSAGE = "campaign_message", _("Campaign message")


class CostRate(models.Model):
    """What one activity costs, for activity-based costing of customer profitability."""

    activity = models.CharField(
        _("activity"), max_length=20, choices=CostActivity.choices, unique=True
    )
    amount = models.DecimalField(_("cost per activity"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["activity"]
        verbose_name = _("cost rate")
        verbose_name_plural = _("cost rates")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)), name="costrate_amount")
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()}: {self.amount}"


class EventKind(models.TextChoices):
    SPEND_PASSES = "spend_passes", _("Customer's total spend passes an amount")
    P_ALIVE_BELOW = "p_alive_below", _("P(alive) drops below a level")
    VIP_INACTIVE = "vip_inactive", _("A VIP has not bought for N days")
    SEGMENT_SHRINKS = "segment_shrinks", _("An RFM segment shrinks by X % in a month")


class EventRule(models.Model):
    """A threshold administrators watch. Evaluated after each mart refresh and by
    `manage.py check_events`; each crossing raises one alert."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("when"), max_length=20, choices=EventKind.choices)
    amount = models.DecimalField(
        _("amount / level / percent"), max_digits=18, decimal_places=4, default=Decimal(0),
        help_text=_("Spend amount; P(alive) level between 0 and 1; shrink in percent."),
    )  # fmt: skip
    days = models.PositiveIntegerField(_("days"), default=0, help_text=_("For VIP inactivity."))
    vip_tag = models.CharField(_("VIP tag"), max_length=100, blank=True)
    segment = models.CharField(
        _("RFM segment"), max_length=30, blank=True,
        help_text=_("A VIP segment (VIP rule) or the segment that must not shrink."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    notify_owner = models.BooleanField(_("notify the customer's owner"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("event rule")
        verbose_name_plural = _("event rules")

    def __str__(self) -> str:
        return self.name


class EventAlert(models.Model):
    """One crossing of a rule. `crossing` identifies it (e.g. the customer and their last
    purchase date), so a rule fires once per crossing however often it is evaluated."""

    rule = models.ForeignKey(EventRule, on_delete=models.CASCADE, related_name="alerts")
    crossing = models.CharField(max_length=100)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="insight_alerts",
    )
    value = models.FloatField(_("value"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    notified = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("event alert")
        verbose_name_plural = _("event alerts")
        constraints = [models.UniqueConstraint(fields=["rule", "crossing"], name="eventalert_once")]
        indexes = [models.Index(fields=["customer", "raised_at"], name="eventalert_customer_idx")]

    def __str__(self) -> str:
        return self.message


from relasi.analytics import insights_hooks  # noqa: E402, F401  (registers hooks, figures, panels)
