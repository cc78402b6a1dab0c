"""Global search (top bar, Ctrl+K): quotes by number, leads, deals and products, scoped by the
access layer."""

from typing import Any

from django.utils.translation import gettext as _

from relasi.core import search as registry
from relasi.core.access import visible_to


@registry.register
def sales_results(user: Any, query: str, limit: int) -> list[registry.SearchResult]:
    from relasi.sales.models import Deal, Lead, Product, Quote

    if not user.has_module_perm("sales", "view"):
        return []
    # Q-2026-00042 (quoting.next_number); every revision shares the number, the latest first.
    quotes = Quote.objects.select_related("customer").order_by("number", "-revision")
    out = [
        registry.SearchResult(
            _("Quotes"),
            f"{q} · {q.title}" if q.title else str(q),
            q.get_absolute_url(),
            " · ".join(
                p for p in (q.customer.name if q.customer else "", q.get_status_display()) if p
            ),
            exact=True,
        )
        for q in registry.by_number(user, quotes, query, prefix="Q", digits=5, limit=limit)
    ]
    # name__istartswith uses the name index; leads and deals are far fewer than customers.
    leads = visible_to(user, Lead.objects.filter(name__istartswith=query)).only(
        "pk", "name", "company"
    )[:limit]
    out += [
        registry.SearchResult(_("Leads"), str(x), x.get_absolute_url(), x.company) for x in leads
    ]
    deals = visible_to(user, Deal.objects.filter(name__istartswith=query)).only("pk", "name")[
        :limit
    ]
    out += [registry.SearchResult(_("Deals"), x.name, x.get_absolute_url()) for x in deals]
    products = Product.objects.filter(sku__istartswith=query) | Product.objects.filter(
        name__istartswith=query
    )
    out += [
        registry.SearchResult(_("Products"), x.name, x.get_absolute_url(), x.sku)
        for x in products.only("pk", "name", "sku")[:limit]
    ]
    return out
