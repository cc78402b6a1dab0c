"""The sidebar: the modules the user may open, grouped into sections in the order the product
presents them.

To add an entry, add an `Entry` to its section: `Entry(_("Approvals"), "core:approvals",
"check2-circle", "sales.view")`. Its last part is the permission that opens the page ("module.action"
or a check registered with `relasi.core.access.register_check`); left out, it is the section's
module with "view". The same `access.may()` guards the page, so no role sees an entry that
answers 403. A section is shown when the user may open one of its entries.
"""

from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from relasi.core.access import may


class Entry(NamedTuple):
    label: Any
    url_name: str
    icon: str
    perm: str = ""  # "module.action" or a registered check; "" = "<section module>.view"


NAV_COOKIE = "relasi_nav"  # the sections a user has folded, written by relasi.js

NAV: list[tuple[str, Any, list[Entry]]] = [
    # (section key = module, heading, entries)
    ("customers", _("Customers"), [
        Entry(_("People"), "customers:person_list", "people"),
        Entry(_("Organisations"), "customers:organization_list", "building"),
        Entry(_("Groups"), "customers:group_list", "collection"),
        Entry(_("Duplicates"), "customers:duplicates", "intersect"),
        Entry(_("Imports"), "integrations:import_list", "upload", "import"),
    ]),
    ("sales", _("Sales"), [
        Entry(_("Leads"), "sales:lead_list", "funnel"),
        Entry(_("Deals"), "sales:board_default", "kanban"),
        Entry(_("Quotes"), "sales:quote_list", "file-earmark-text"),
        Entry(_("Approvals"), "core:approvals", "check2-circle"),
        Entry(_("Products"), "sales:product_list", "box-seam", "commerce.view"),
        Entry(_("Forecast"), "sales:forecast", "graph-up-arrow"),
        Entry(_("Performance"), "sales:performance", "trophy"),
    ]),
    ("activities", _("Activities"), [
        Entry(_("My tasks"), "activities:my_tasks", "check2-square"),
        Entry(_("Calendar"), "activities:calendar", "calendar3"),
        Entry(_("Visits"), "activities:visits_report", "geo-alt"),
    ]),
    ("conversations", _("Conversations"), [
        Entry(_("Inbox"), "conversations:inbox", "chat-dots"),
        Entry(_("Inboxes"), "conversations:inbox_list", "mailbox", "admin.change"),
    ]),
    ("service", _("Service"), [
        Entry(_("Tickets"), "service:ticket_list", "life-preserver"),
        Entry(_("Knowledge base"), "service:article_list", "book"),
        Entry(_("Service dashboard"), "service:dashboard", "speedometer"),
    ]),
    ("commerce", _("Commerce"), [
        Entry(_("Orders"), "commerce:order_list", "bag"),
        Entry(_("Stores"), "commerce:store_list", "shop"),
    ]),
    ("analytics", _("Analytics"), [
        Entry(_("Dashboards"), "analytics:dashboard", "bar-chart-line"),
        Entry(_("Reports"), "analytics:builder", "table"),
        Entry(_("Costs (CAC)"), "analytics:cost_list", "cash-coin"),
        Entry(_("Customer analytics"), "analytics:insights_rfm", "person-hearts"),
    ]),
    ("privacy", _("Privacy"), [
        Entry(_("Consents"), "privacy:home", "shield-check"),
        Entry(_("Suppression list"), "privacy:suppression_list", "slash-circle"),
        Entry(_("Purposes and channels"), "privacy:settings", "sliders2"),
        Entry(_("Data-subject requests"), "privacy:dsr_list", "person-lines-fill"),
        Entry(_("Breach register"), "privacy:breach_list", "shield-exclamation"),
        Entry(_("Processing activities"), "privacy:processing_list", "journal-check"),
        Entry(_("Retention"), "privacy:retention", "hourglass-split"),
    ]),
    ("admin", _("Administration"), [
        Entry(_("Sales settings"), "sales:pipeline_list", "sliders"),
        Entry(_("Mart status"), "analytics:mart_status", "database", "admin.change"),
        Entry(_("Users"), "accounts:user_list", "person-gear"),
        Entry(_("Teams"), "accounts:team_list", "diagram-3"),
        Entry(_("Roles"), "accounts:role_list", "shield-lock"),
        Entry(_("Company details"), "core:company_settings", "building-gear"),
        Entry(_("Custom fields"), "core:customfield_list", "input-cursor-text"),
        Entry(_("Audit trail"), "core:audit_list", "journal-text"),
        Entry(_("Sensitive field reads"), "core:sensitive_reads", "eye", "privacy.change"),
    ]),
]  # fmt: skip


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The sections and entries `user` may open (each entry's URL reversed)."""
    sections = []
    for key, heading, entries in NAV:
        items = []
        for entry in entries:
            if not may(user, entry.perm or f"{key}.view"):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            items.append({"label": entry.label, "url": url, "icon": entry.icon, "active": False})
        if items:
            sections.append({"key": key, "label": heading, "items": items, "open": True})
    return sections


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    sections = nav_for(user)
    folded = set(request.COOKIES.get(NAV_COOKIE, "").split("."))
    # Only the most specific entry is highlighted (/analytics/rfm/ is not also /analytics/), and
    # its section stays open even if the user folded it.
    matches = [
        (item, section)
        for section in sections
        for item in section["items"]
        if request.path.startswith(item["url"])
    ]
    active_section = None
    if matches:
        item, active_section = max(matches, key=lambda m: len(m[0]["url"]))
        item["active"] = True
    for section in sections:
        section["open"] = section is active_section or section["key"] not in folded
    return {"nav_sections": sections}
