"""Transactions: stores, orders with lines, payments and returns. Products are the sales app's
catalogue (`sales.Product`); there is no second product table.

Orders are the fuel of analytics: the data mart copies them incrementally by `updated_at`, so
every change to an order or its lines goes through `commerce.actions`, which bumps the order's
`updated_at`, and every delete leaves a `DeletedOrder` tombstone the mart refresh applies."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.commerce.choices import OrderStatus, PaymentMethod, ReturnReason, SalesChannel
from relasi.core.models import BaseRecord, TimestampedModel, VersionedModel

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


def default_currency() -> str:
    return str(settings.DEFAULT_CURRENCY)


class Store(TimestampedModel, VersionedModel):
    """A point of sale (shop, web shop, marketplace account, call centre, field team)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    channel = models.CharField(
        _("channel"), max_length=20, choices=SalesChannel.choices, default=SalesChannel.STORE
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("commerce:store_detail", args=[self.pk])


class Order(BaseRecord):
    """One sale (a POS receipt, web order, marketplace order or invoice). `owner` is the sales
    rep credited with it. `(source, external_id)` is unique, so re-sending the same order from
    a POS, ERP export or the API updates it instead of creating a duplicate."""

    source = models.CharField(_("source system"), max_length=40, default="manual")
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    number = models.CharField(_("number"), max_length=100, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        help_text=_("Empty for anonymous walk-in sales."),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=SalesChannel.choices, default=SalesChannel.STORE
    )
    store = models.ForeignKey(
        Store,
        verbose_name=_("store"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    order_date = models.DateField(_("order date"), help_text=_("Local date of ordered_at."))
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    subtotal = models.DecimalField(_("subtotal"), default=Decimal(0), **MONEY)
    discount_total = models.DecimalField(_("discount"), default=Decimal(0), **MONEY)
    total = models.DecimalField(_("total"), default=Decimal(0), **MONEY)
    cost_total = models.DecimalField(_("cost"), null=True, blank=True, **MONEY)
    paid_total = models.DecimalField(_("paid"), default=Decimal(0), **MONEY)
    returned_total = models.DecimalField(_("returned"), default=Decimal(0), **MONEY)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="order_source_external_unique",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "ordered_at"], name="order_customer_idx"),
            models.Index(fields=["updated_at", "id"], name="order_changed_idx"),
            models.Index(fields=["order_date", "id"], name="order_date_idx"),
            models.Index(fields=["owner", "id"], name="order_owner_idx"),
            models.Index(fields=["team", "id"], name="order_team_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.external_id or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("commerce:order_detail", args=[self.pk])

    @property
    def margin(self) -> Decimal | None:
        return None if self.cost_total is None else self.total - self.cost_total


class OrderLine(models.Model):
    """One product on an order. `line_total` = quantity × unit price − discount."""

    access_via = "order"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"), default=1)
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount"), default=Decimal(0), **MONEY)
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)

    class Meta:
        ordering = ["order", "line_no", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        indexes = [models.Index(fields=["product", "order"], name="orderline_product_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description or self.sku}"

    @property
    def margin(self) -> Decimal | None:
        if self.unit_cost is None:
            return None
        return self.line_total - self.unit_cost * self.quantity


class Payment(models.Model):
    """A payment received for an order."""

    access_via = "order"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["order", "paid_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class Return(models.Model):
    """Goods brought back: which lines, how much is refunded, and why."""

    access_via = "order"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    returned_at = models.DateTimeField(_("returned at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount refunded"), **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "returned_at", "id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.amount}"


class ReturnLine(models.Model):
    """A quantity of one order line taken back in a return."""

    access_via = "ret__order"

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="returns")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line_id}"


class DeletedOrder(models.Model):
    """Tombstone of a deleted order, so the incremental mart refresh can drop it too."""

    order_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("deleted order")
        verbose_name_plural = _("deleted orders")

    def __str__(self) -> str:
        return f"#{self.order_id}"
