"""Pipelines, stages, deals, their product lines and stage history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import BaseRecord, TimestampedModel, VersionedModel
from relasi.sales.choices import DealStatus, DealValueSource, ForecastCategory, StageKind
from relasi.sales.models.products import PriceList, Product, default_currency


class Pipeline(TimestampedModel, VersionedModel):
    """A sales process with its own ordered stages (e.g. retail B2B, corporate MCU packages)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:board", args=[self.pk])


class Stage(models.Model):
    """One column of a pipeline, with the win probability used by the weighted forecast."""

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default="open")
    rotting_days = models.PositiveIntegerField(
        _("rotting after (days)"),
        null=True,
        blank=True,
        help_text=_("Highlight deals that stay longer than this in the stage."),
    )

    class Meta:
        ordering = ["pipeline", "order", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability"),
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(models.Model):
    """A reason a deal was lost (administrator-maintained list)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.name


class Deal(BaseRecord):
    """An opportunity to sell: a customer, a value, an expected close date, a stage."""

    name = models.CharField(_("title"), max_length=200, db_index=True)
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    organization = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organization_deals",
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, default=Decimal(0))
    # A typed value is never replaced by the lines' sum unless the rep chooses "lines".
    value_source = models.CharField(
        _("value comes from"),
        max_length=10,
        choices=DealValueSource.choices,
        default=DealValueSource.TYPED,
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    price_list = models.ForeignKey(
        PriceList,
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    forecast_override = models.CharField(
        _("manager's forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        blank=True,
    )
    forecast_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    lost_note = models.CharField(_("lost note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.IntegerField(_("position"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["pipeline", "stage", "status"], name="deal_board_idx"),
            models.Index(fields=["owner", "status", "expected_close_date"], name="deal_owner_idx"),
            models.Index(fields=["status", "closed_at"], name="deal_closed_idx"),
            models.Index(fields=["expected_close_date", "id"], name="deal_close_date_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:deal_detail", args=[self.pk])

    @property
    def effective_forecast_category(self) -> str:
        return self.forecast_override or self.forecast_category

    @property
    def weighted_value(self) -> Decimal:
        return (self.value * Decimal(self.stage.probability) / 100).quantize(Decimal("0.01"))

    def days_in_stage(self) -> int:
        return max(0, (timezone.now() - self.stage_entered_at).days)

    @property
    def is_rotting(self) -> bool:
        days = self.stage.rotting_days
        return (
            days is not None
            and days > 0
            and self.status == DealStatus.OPEN
            and self.days_in_stage() > days
        )


class DealLine(models.Model):
    """A product line on a deal (quantity × unit price less discount)."""

    access_via = "deal"
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deal_lines",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal(1)
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    line_total = models.DecimalField(_("line total"), max_digits=18, decimal_places=2, default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["deal", "order", "id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")

    def __str__(self) -> str:
        return self.description or str(self.product)


class DealStageChange(models.Model):
    """One move of a deal between stages, with the time it had spent in the previous one."""

    access_via = "deal"
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds_in_previous = models.PositiveBigIntegerField(_("time in previous stage"), default=0)

    class Meta:
        ordering = ["deal", "at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["deal", "at"], name="stagechange_deal_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"

    @property
    def days_in_previous(self) -> float:
        return round(self.seconds_in_previous / 86400, 1)
