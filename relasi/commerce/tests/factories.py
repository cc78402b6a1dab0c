"""Test data for orders: stores, products and orders through the real ingestion action."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from relasi.commerce import actions
from relasi.commerce.models import Order, Store

_n = {"store": 0, "product": 0, "order": 0}


def store(**kw: Any) -> Store:
    _n["store"] += 1
    defaults = {
        "code": f"S{_n['store']:03d}",
        "name": f"Store {_n['store']}",
        "channel": "store",
        "city": "Kota Bandung",
        "province": "Jawa Barat",
    }
    return Store.objects.create(**{**defaults, **kw})


def product(**kw: Any) -> Any:
    from relasi.sales.models import Product, ProductCategory

    _n["product"] += 1
    category = kw.pop("category", None)
    if isinstance(category, str):
        category, _c = ProductCategory.objects.get_or_create(name=category)
    defaults = {
        "sku": f"SKU{_n['product']:04d}",
        "name": f"Product {_n['product']}",
        "unit_price": Decimal("10000"),
        "category": category,
    }
    return Product.objects.create(**{**defaults, **kw})


def order(
    actor: Any = None,
    *,
    lines: list[tuple[Any, Any, Any]] | None = None,
    day: dt.date | None = None,
    **kw: Any,
) -> Order:
    """lines: (product, quantity, unit_price[, unit_cost])."""
    _n["order"] += 1
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))) if day else timezone.now()
    data = {"source": "test", "external_id": f"T{_n['order']:06d}", "ordered_at": at, **kw}
    data["lines"] = [
        {
            "product_id": p.pk,
            "quantity": q,
            "unit_price": price,
            **({"unit_cost": rest[0]} if rest else {}),
        }
        for p, q, price, *rest in (lines or [])
    ]
    o, _outcome = actions.ingest_order(actor, data)
    return o


def customer(**kw: Any) -> Any:
    from relasi.customers.models import Customer

    _n["order"] += 1
    return Customer.objects.create(**{"name": f"Customer {_n['order']}", "kind": "person", **kw})
