"""The membership card on the customer's 360° page."""

from typing import Any

from django.template.loader import render_to_string

from relasi.customers import panels
from relasi.loyalty.models import Member, Programme


@panels.register("customer")
def member_panel(request: Any, customer: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.has_module_perm("loyalty", "view"):
        return ""
    members = list(Member.objects.filter(customer=customer).select_related("programme"))
    joinable = (
        Programme.objects.filter(active=True).exclude(members__customer=customer)
        if user.has_module_perm("loyalty", "add")
        else Programme.objects.none()
    )
    if not members and not joinable.exists():
        return ""
    return render_to_string(
        "loyalty/_customer_panel.html",
        {"members": members, "joinable": list(joinable), "customer": customer},
        request=request,
    )
