"""Price look-ups: which price a product has in a price list on a day for a quantity."""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from relasi.sales.models import PriceList, PriceListItem, Product


def price_for(
    product: Product,
    price_list: PriceList | None = None,
    *,
    on: datetime.date | None = None,
    quantity: Decimal | int = 1,
) -> Decimal:
    """The unit price of `product`: the price list's entry valid on `on` with the largest
    minimum quantity not above `quantity`, else the product's own list price."""
    day = on or timezone.localdate()
    if price_list is not None and price_list.is_valid_on(day):
        item = (
            PriceListItem.objects.filter(
                price_list=price_list, product=product, min_quantity__lte=Decimal(quantity)
            )
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .order_by("-min_quantity")
            .first()
        )
        if item is not None:
            return item.unit_price
    return product.unit_price


def default_price_list(on: datetime.date | None = None) -> PriceList | None:
    day = on or timezone.localdate()
    for pl in PriceList.objects.filter(active=True, is_default=True):
        if pl.is_valid_on(day):
            return pl
    return None
