"""The sidebar: the modules the user may open, grouped into sections in the order the product
presents them.

To add an entry, add an `Entry` to its section: `Entry(_("Approvals"), "core:approvals",
"check2-circle", "sales.view")`. Its last part is the permission that opens the page ("module.action"
or a check registered with `relasi.core.access.register_check`); left out, it is the section's
module with "view". The same `access.may()` guards the page, so no role sees an entry that
answers 403. A section is shown when the user may open one of its entries.
"""

from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString
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
        Entry(_("Webhooks"), "webhooks:endpoint_list", "broadcast", "integrations.change"),
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
    ("loyalty", _("Loyalty"), [
        Entry(_("Loyalty"), "loyalty:home", "award"),
        Entry(_("Programmes"), "loyalty:programme_list", "sliders2"),
    ]),
    ("marketing", _("Marketing"), [
        Entry(_("Segments"), "marketing:segment_list", "bullseye"),
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


@lru_cache(maxsize=1024)
def _url(urlconf: Any, prefix: str, url_name: str) -> str | None:
    """An entry's URL, reversed once per URLconf and script prefix (both in the key)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The sections and entries `user` may open (each entry's URL reversed)."""
    urlconf, prefix = get_urlconf(), get_script_prefix()
    sections = []
    for key, heading, entries in NAV:
        items = []
        for entry in entries:
            if not may(user, entry.perm or f"{key}.view"):
                continue
            url = _url(urlconf, prefix, entry.url_name)
            if url is None:
                continue
            items.append({"label": entry.label, "url": url, "icon": entry.icon, "active": False})
        if items:
            sections.append({"key": key, "label": heading, "items": items, "open": True})
    return sections


def nav_sections(request: HttpRequest) -> list[dict[str, Any]]:
    """nav_for(request.user) with the current page's entry highlighted and the sections the
    user folded closed."""
    sections = nav_for(request.user)
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
    return sections


def sidebar(request: HttpRequest) -> SafeString:
    """The sidebar's sections as HTML (core/_sidebar_nav.html, `{% sidebar_nav %}` in
    base.html). The fragment is the same for everyone with the same entries in the same language,
    so it is rendered once per distinct input: the key is everything the template shows (labels
    already translated, URLs, icons, highlighted entry, folded sections), so it cannot show one
    user what another may open, and a new language or role simply makes a new key. Rendering it
    on every page was about a tenth of the people list's CPU (issue 19)."""
    if not request.user.is_authenticated:
        return SafeString("")
    data = tuple(
        (
            section["key"],
            str(section["label"]),
            section["open"],
            tuple(
                (str(item["label"]), item["url"], item["icon"], item["active"])
                for item in section["items"]
            ),
        )
        for section in nav_sections(request)
    )
    if settings.DEBUG:  # template edits show at once while developing
        return _render_sidebar.__wrapped__(data)
    return _render_sidebar(data)


@lru_cache(maxsize=256)
def _render_sidebar(data: tuple) -> SafeString:
    sections = [
        {
            "key": key,
            "label": label,
            "open": is_open,
            "items": [
                {"label": item_label, "url": url, "icon": icon, "active": active}
                for item_label, url, icon, active in items
            ],
        }
        for key, label, is_open, items in data
    ]
    return SafeString(get_template("core/_sidebar_nav.html").render({"nav_sections": sections}))
