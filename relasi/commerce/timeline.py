"""Orders on the customer's 360° timeline."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core.formatting import money
from relasi.customers import timeline


@timeline.register("order", gl("Orders"), "bag")
def orders(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    from relasi.commerce.models import Order

    qs = Order.objects.filter(customer=customer).select_related("store", "owner")
    if before:
        qs = qs.filter(ordered_at__lt=before)
    out = []
    for o in qs.order_by("-ordered_at", "-id")[:limit]:
        title = _("Order %(number)s: %(total)s") % {"number": str(o), "total": money(o.total)}
        where = o.store.name if o.store_id else o.get_channel_display()
        body = f"{where} · {o.get_status_display()}"
        if o.returned_total:
            body += " · " + _("returned %(amount)s") % {"amount": money(o.returned_total)}
        out.append(
            timeline.Entry(
                o.ordered_at, "order", title, body, str(o.owner or ""), url=o.get_absolute_url()
            )
        )
    return out
