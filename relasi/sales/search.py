"""Global search (top bar, Ctrl+K): leads, deals and products, scoped by the access layer."""

from typing import Any

from django.utils.translation import gettext as _

from relasi.core import search as registry
from relasi.core.access import visible_to


@registry.register
def sales_results(user: Any, query: str, limit: int) -> list[registry.SearchResult]:
    from relasi.sales.models import Deal, Lead, Product

    if not user.has_module_perm("sales", "view"):
        return []
    out = []
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
