"""Loyalty programmes, their members and the points ledger.

The ledger is append-only: a `LedgerEntry` is never edited or deleted; a mistake is corrected
by a new entry (an adjustment or a reversal pointing at the entry it undoes). A member's balance
is the sum of their entries; `Member.balance` caches that sum and is only ever changed by
`relasi.loyalty.ledger.post` in the same transaction as the entry, which `ledger.verify` checks."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import TimestampedModel, VersionedModel
from relasi.loyalty.choices import (
    EnrolChannel,
    EntryKind,
    ExpiryMode,
    MemberStatus,
    Rounding,
    RuleKind,
)

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class Programme(TimestampedModel, VersionedModel):
    """A points programme and its rules: how many points a rupiah earns, what a point is
    worth when spent, when points expire. IDR; amounts are whole rupiah (Decimal)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    currency = models.CharField(_("currency"), max_length=3, default="IDR")
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    earn_spend = models.DecimalField(
        _("spend per earn step"),
        default=Decimal(10000),
        help_text=_("Rupiah that earn the points below, e.g. Rp 10,000."),
        **MONEY,
    )
    earn_points = models.PositiveIntegerField(_("points per earn step"), default=1)
    rounding = models.CharField(
        _("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.DOWN
    )
    point_value = models.DecimalField(_("rupiah value of a point"), default=Decimal(100), **MONEY)
    min_redemption = models.PositiveIntegerField(_("minimum redemption (points)"), default=100)
    max_redeem_percent = models.PositiveSmallIntegerField(
        _("maximum share of an order paid with points (%)"), default=100
    )
    first_purchase_bonus = models.PositiveIntegerField(
        _("first purchase bonus (points)"), default=0
    )
    birthday_multiplier = models.DecimalField(
        _("birthday month multiplier"), max_digits=6, decimal_places=2, default=Decimal(1)
    )
    expiry_mode = models.CharField(
        _("expiry"), max_length=20, choices=ExpiryMode.choices, default=ExpiryMode.ROLLING
    )
    expiry_months = models.PositiveSmallIntegerField(_("months before points expire"), default=12)
    retro_days = models.PositiveSmallIntegerField(
        _("days before enrolment that still earn"), default=7
    )
    number_prefix = models.CharField(
        _("member number prefix"), max_length=4, default="88", help_text=_("Digits only.")
    )
    allow_transfer = models.BooleanField(_("members may transfer points"), default=False)
    expiry_checked_on = models.DateField(
        _("expiry last run"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(earn_spend__gt=0) & Q(point_value__gte=0),
                name="loyalty_programme_rates_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("loyalty:programme_detail", args=[self.pk])


class EarnRule(models.Model):
    """A multiplier on the base earn rate: for a product, a product category, or every order
    (a campaign), optionally between two dates. The highest matching line rule applies to a
    line; order rules multiply the whole order."""

    access_via = ""
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="earn_rules")
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("applies to"), max_length=20, choices=RuleKind.choices)
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    category = models.ForeignKey(
        "sales.ProductCategory",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=6, decimal_places=2, default=Decimal(2)
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("earn rule")
        verbose_name_plural = _("earn rules")
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gte=0), name="loyalty_rule_multiplier"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ×{self.multiplier}"


class Member(TimestampedModel):
    """A customer enrolled in a programme, with a member number printed on the card. Who may
    see a member follows who may see the customer."""

    access_via = "customer"

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="members"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="loyalty_members",
    )
    number = models.CharField(_("member number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    channel = models.CharField(
        _("enrolled via"), max_length=20, choices=EnrolChannel.choices, default=EnrolChannel.STAFF
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    home_store = models.ForeignKey(
        "commerce.Store",
        verbose_name=_("home store"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    balance = models.BigIntegerField(_("points balance"), default=0, editable=False)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "customer"], name="loyalty_member_once_per_programme"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_balance_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="loyalty_member_prog_idx")]

    def __str__(self) -> str:
        return f"{self.number} · {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("loyalty:member_detail", args=[self.pk])

    @property
    def balance_value(self) -> Decimal:
        return Decimal(self.balance) * self.programme.point_value


class LedgerEntry(models.Model):
    """One movement of points (signed: credits positive, debits negative). Never edited or
    deleted. `external_ref` is unique per programme, so a POS or an order re-sent is credited
    once; every entry names its cause: an order, the entry it reverses, or staff with a reason."""

    access_via = "member__customer"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    points = models.BigIntegerField(_("points"))
    amount = models.DecimalField(
        _("rupiah"),
        default=Decimal(0),
        help_text=_("Spend that earned the points, or the discount they paid for."),
        **MONEY,
    )
    occurred_at = models.DateTimeField(_("at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    order = models.ForeignKey(
        "commerce.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_entries",
    )
    store = models.ForeignKey(
        "commerce.Store",
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    counterpart = models.ForeignKey(
        "self",
        verbose_name=_("transfer counterpart"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_ref = models.CharField(_("external reference"), max_length=120, blank=True)
    meta = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "external_ref"],
                condition=~Q(external_ref=""),
                name="loyalty_entry_external_ref_unique",
            ),
            models.CheckConstraint(condition=~Q(points=0), name="loyalty_entry_points_nonzero"),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_at"], name="loyalty_entry_member_idx"),
            models.Index(fields=["order"], name="loyalty_entry_order_idx"),
            models.Index(fields=["programme", "expires_at"], name="loyalty_entry_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger entries are append-only.")
