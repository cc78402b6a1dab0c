"""Lifetime revenue, order count and last purchase on the customer's 360° header.

Read from the mart's `agg_customer` when the mart is fresh (no order changed or was deleted
since its watermark: one indexed EXISTS each); otherwise computed from the customer's own
orders in the operational database (an indexed range of a few rows), never a stale number."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import formats

from relasi.core.formatting import money, number
from relasi.customers import value


def order_figures(customer: Any) -> dict[str, Any]:
    cached = getattr(customer, "_order_figures", None)
    if cached is not None:
        return cached
    figures = _from_mart(customer)
    if figures is None:
        figures = _from_orders(customer)
    customer._order_figures = figures
    return figures


def _mart_is_fresh() -> bool:
    from relasi.analytics import mart
    from relasi.commerce.models import DeletedOrder, Order

    meta = mart.meta()
    if not meta.get("orders") and Order.objects.exists():
        return False
    if meta.get("orders"):
        wm = dt.datetime.fromisoformat(meta["orders"]).replace(tzinfo=dt.UTC)
        if Order.objects.filter(updated_at__gt=wm).exists():
            return False
    tomb = int(meta.get("deleted_orders", "0") or 0)
    return not DeletedOrder.objects.filter(pk__gt=tomb).exists()


def _from_mart(customer: Any) -> dict[str, Any] | None:
    from relasi.analytics import mart

    try:
        if mart.generation() is None or not _mart_is_fresh():
            return None
        rows = mart.query(
            "SELECT revenue, orders, last_order_date FROM agg_customer WHERE customer_key = ?",
            [customer.pk],
        )
    except Exception:  # a missing or unreadable mart falls back to the orders
        return None
    if not rows:
        return {"revenue": Decimal(0), "orders": 0, "last": None, "source": "mart"}
    revenue, orders, last = rows[0]
    return {
        "revenue": Decimal(str(round(revenue or 0, 2))),
        "orders": orders,
        "last": last,
        "source": "mart",
    }


def _from_orders(customer: Any) -> dict[str, Any]:
    from relasi.commerce.choices import OrderStatus
    from relasi.commerce.models import Order

    agg = (
        Order.objects.filter(customer=customer)
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(revenue=Sum("total"), orders=Count("id"), last=Max("order_date"))
    )
    return {
        "revenue": agg["revenue"] or Decimal(0),
        "orders": agg["orders"],
        "last": agg["last"],
        "source": "orders",
    }


@value.register("lifetime_revenue")
def lifetime_revenue(customer: Any) -> str | None:
    f = order_figures(customer)
    return money(f["revenue"]) if f["orders"] else None


@value.register("orders")
def orders(customer: Any) -> str | None:
    f = order_figures(customer)
    return number(f["orders"]) if f["orders"] else None


@value.register("last_purchase")
def last_purchase(customer: Any) -> str | None:
    last = order_figures(customer)["last"]
    return formats.date_format(last, "j M Y") if last else None
