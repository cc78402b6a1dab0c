"""The sidebar: modules the user may open, in the order the product presents them."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAV: list[tuple[str, Any, str, str]] = [
    # (module, label, url name, icon)
    ("customers", _("Customers"), "customers:person_list", "people"),
    ("customers", _("Organisations"), "customers:organization_list", "building"),
    ("customers", _("Groups"), "customers:group_list", "collection"),
    ("customers", _("Duplicates"), "customers:duplicates", "intersect"),
    ("customers", _("Imports"), "integrations:import_list", "upload"),
    ("sales", _("Leads"), "sales:lead_list", "funnel"),
    ("sales", _("Deals"), "sales:board_default", "kanban"),
    ("commerce", _("Products"), "sales:product_list", "box-seam"),
    ("sales", _("Quotes"), "sales:quote_list", "file-earmark-text"),
    ("sales", _("Forecast"), "sales:forecast", "graph-up-arrow"),
    ("sales", _("Performance"), "sales:performance", "trophy"),
    ("activities", _("My tasks"), "activities:my_tasks", "check2-square"),
    ("activities", _("Calendar"), "activities:calendar", "calendar3"),
    ("activities", _("Visits"), "activities:visits_report", "geo-alt"),
    ("service", _("Tickets"), "service:ticket_list", "life-preserver"),
    ("service", _("Knowledge base"), "service:article_list", "book"),
    ("service", _("Service dashboard"), "service:dashboard", "speedometer"),
    ("commerce", _("Orders"), "commerce:order_list", "bag"),
    ("commerce", _("Stores"), "commerce:store_list", "shop"),
    ("analytics", _("Dashboards"), "analytics:dashboard", "bar-chart-line"),
    ("analytics", _("Reports"), "analytics:builder", "table"),
    ("analytics", _("Costs (CAC)"), "analytics:cost_list", "cash-coin"),
    ("analytics", _("Customer analytics"), "analytics:insights_rfm", "person-hearts"),
    ("admin", _("Sales settings"), "sales:pipeline_list", "sliders"),
    ("admin", _("Mart status"), "analytics:mart_status", "database"),
    ("admin", _("Users"), "accounts:user_list", "person-gear"),
    ("admin", _("Teams"), "accounts:team_list", "diagram-3"),
    ("admin", _("Roles"), "accounts:role_list", "shield-lock"),
    ("admin", _("Custom fields"), "core:customfield_list", "input-cursor-text"),
    ("admin", _("Audit trail"), "core:audit_list", "journal-text"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    items = []
    for module, label, name, icon in NAV:
        if not user.has_module_perm(module, "view"):  # type: ignore[union-attr]
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "icon": icon, "active": False})
    # Only the most specific entry is highlighted (/analytics/rfm/ is not also /analytics/).
    matches = [item for item in items if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
