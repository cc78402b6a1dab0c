"""The product database: products, categories and price lists.

Products are catalogue data shared by the whole company (not owned records): every user with
the sales (or commerce) view permission sees all of them. The commerce app builds orders on
these models, and integrations write `stock_level`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relasi.core.models import CustomFieldsModel, TaggedModel, TimestampedModel, VersionedModel
from relasi.sales.choices import PriceListKind, ProductUnit


def default_currency() -> str:
    return str(settings.DEFAULT_CURRENCY)


class ProductCategory(models.Model):
    """A product category (optionally nested one level or more under a parent)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Product(TimestampedModel, VersionedModel, TaggedModel, CustomFieldsModel):
    """Something the company sells: a good or a service package, with its list price and tax."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=ProductUnit.choices, default="pcs")
    unit_price = models.DecimalField(
        _("unit price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("11.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("PPN: 11 % (or 12 % for luxury goods); 0 for exempt items."),
    )
    barcode = models.CharField(_("barcode (EAN/UPC)"), max_length=32, blank=True, db_index=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)
    # Written by integrations (ERP / POS / e-commerce); Relasi itself never decrements it.
    stock_level = models.IntegerField(_("stock level"), null=True, blank=True)
    stock_updated_at = models.DateTimeField(_("stock updated"), null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="product_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="product_tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:product_detail", args=[self.pk])


class PriceList(TimestampedModel, VersionedModel):
    """A named list of prices (retail, corporate, member …) valid for a period."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PriceListKind.choices, default=PriceListKind.RETAIL
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used for new deals and quotes.")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="pricelist_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            self.active
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:pricelist_detail", args=[self.pk])


class PriceListItem(models.Model):
    """The price of one product in one price list (from a minimum quantity, for a period)."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="price_items"
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)]
    )
    min_quantity = models.DecimalField(
        _("from quantity"), max_digits=12, decimal_places=2, default=Decimal(1)
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["price_list", "product", "min_quantity"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="pricelistitem_unique"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="pricelistitem_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list}: {self.product} = {self.unit_price}"
