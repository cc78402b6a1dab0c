"""Global search (top bar, Ctrl+K): orders by their number, exactly (the indexed `number`
column, as typed or upper-cased), scoped by the access layer. Orders are the largest table, so
there is no substring search here; the orders list filters by customer, store and date."""

from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relasi.core import search as registry


@registry.register
def orders(user: Any, query: str, limit: int) -> list[registry.SearchResult]:
    from relasi.commerce.models import Order

    if not user.has_module_perm("commerce", "view"):
        return []
    found = registry.by_number(user, Order.objects.select_related("customer"), query, limit=limit)
    return [
        registry.SearchResult(
            _("Orders"),
            str(o),
            o.get_absolute_url(),
            " · ".join(
                p
                for p in (
                    o.customer.name if o.customer else "",
                    date_format(o.order_date, "SHORT_DATE_FORMAT"),
                    o.get_status_display(),
                )
                if p
            ),
            exact=True,
        )
        for o in found
    ]
