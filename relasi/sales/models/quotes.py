"""Quotations: numbered per year without gaps, revised as new rows (history kept), rendered
from an administrator-editable template to PDF, approved when the discount is too high."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relasi.core.models import BaseRecord, TimestampedModel, VersionedModel
from relasi.sales.choices import QuoteStatus
from relasi.sales.models.deals import Deal
from relasi.sales.models.products import PriceList, Product, default_currency


class QuoteTemplate(TimestampedModel, VersionedModel):
    """The document layout of a quote: an HTML body in a restricted template language
    (see relasi.sales.quoting: variables, `if`/`for` and a few filters; no other tags)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    body = models.TextField(_("HTML body"))
    css = models.TextField(_("style sheet"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("quote template")
        verbose_name_plural = _("quote templates")

    def __str__(self) -> str:
        return self.name


class QuoteSequence(models.Model):
    """The last quote number issued in a year (locked row: numbers have no gaps)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("quote number sequence")
        verbose_name_plural = _("quote number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Quote(BaseRecord):
    """One revision of a quotation. `number` is shared by all revisions of the same quote."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="quotes"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    number = models.CharField(_("number"), max_length=20, db_index=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    issue_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    price_list = models.ForeignKey(
        PriceList, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    template = models.ForeignKey(
        QuoteTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    notes = models.TextField(_("notes"), blank=True)
    terms = models.TextField(_("terms and conditions"), blank=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=18, decimal_places=2, default=0)
    discount_total = models.DecimalField(_("discount"), max_digits=18, decimal_places=2, default=0)
    tax_total = models.DecimalField(_("tax"), max_digits=18, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=0)
    max_discount_percent = models.DecimalField(
        _("highest discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    # Discount approval
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # Who approved or rejected the discount last, and when (the approvals inbox's "decided").
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quote_decisions",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    approval_note = models.CharField(_("approval note"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["number", "revision"], name="quote_number_revision")
        ]

    def __str__(self) -> str:
        return f"{self.number} rev. {self.revision}" if self.revision > 1 else self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:quote_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status != QuoteStatus.SUPERSEDED


class QuoteLine(models.Model):
    """A quote line; amounts are computed by relasi.sales.quoting and stored."""

    access_via = "quote"
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="quote_lines"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    tax_rate = models.DecimalField(_("tax (%)"), max_digits=5, decimal_places=2, default=0)
    line_subtotal = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    line_discount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    line_tax = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    line_total = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["quote", "order", "id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="quoteline_discount_range",
            )
        ]

    def __str__(self) -> str:
        return self.description
