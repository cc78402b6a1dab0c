"""The modules of Relasi and the actions a role may be granted on each.

A role's permissions are a mapping module -> list of actions. Every view and API endpoint
declares the (module, action) it needs; nothing is allowed by default.
"""

from django.utils.translation import gettext_lazy as _

MODULES: dict[str, object] = {
    "customers": _("Customers"),
    "sales": _("Sales"),
    "activities": _("Activities"),
    "service": _("Service"),
    "conversations": _("Conversations"),
    "commerce": _("Commerce"),
    "marketing": _("Marketing"),
    "loyalty": _("Loyalty"),
    "analytics": _("Analytics"),
    "automation": _("Automation"),
    "privacy": _("Privacy"),
    "integrations": _("Integrations"),
    "community": _("Community"),
    "sustainability": _("Sustainability"),
    "sectors": _("Sectors"),
    "admin": _("Administration"),
}

ACTIONS: dict[str, object] = {
    "view": _("View"),
    "add": _("Add"),
    "change": _("Change"),
    "delete": _("Delete"),
    "export": _("Export"),
    "import": _("Import"),
}

ALL_ACTIONS = list(ACTIONS)
READ = ["view"]
WRITE = ["view", "add", "change"]
