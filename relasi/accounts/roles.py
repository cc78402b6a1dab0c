"""The default roles a new install starts with. Administrators can edit them afterwards."""

from typing import Any

from relasi.core.choices import Visibility
from relasi.core.modules import ALL_ACTIONS, MODULES, READ, WRITE

# Privacy is not a business module: its pages hold breach reports, the record of processing and
# (later) data-subject requests — need-to-know for the data protection officer and administrators.
# Managers, analysts and the rest do not get it from the business grant.
RESTRICTED = ("admin", "privacy")
BUSINESS = [m for m in MODULES if m not in RESTRICTED]


def _grant(modules: list[str], actions: list[str]) -> dict[str, list[str]]:
    return {m: list(actions) for m in modules}


DEFAULT_ROLES: list[dict[str, Any]] = [
    {
        "slug": "administrator",
        "name": "Administrator",
        "visibility": Visibility.ALL,
        "permissions": _grant(list(MODULES), ALL_ACTIONS),
        "require_2fa": False,
        "max_discount_percent": 100,
        "may_view_sensitive": True,
    },
    {
        "slug": "manager",
        "name": "Manager",
        "visibility": Visibility.SUBORDINATES,
        "permissions": {**_grant(BUSINESS, ALL_ACTIONS), "admin": ["view"]},
        "max_discount_percent": 30,
    },
    {
        "slug": "sales",
        "name": "Sales",
        "visibility": Visibility.OWN,
        "permissions": {
            **_grant(["customers", "sales", "activities", "conversations"], [*WRITE, "export"]),
            **_grant(["commerce", "service", "loyalty", "analytics"], READ),
        },
        "max_discount_percent": 10,
    },
    {
        "slug": "marketing",
        "name": "Marketing",
        "visibility": Visibility.ALL,
        "permissions": {
            **_grant(["marketing", "community", "sustainability"], ALL_ACTIONS),
            **_grant(["customers"], [*WRITE, "export", "import"]),
            **_grant(["analytics", "commerce", "loyalty", "sales"], READ),
        },
    },
    {
        "slug": "service",
        "name": "Service agent",
        "visibility": Visibility.TEAM,
        "permissions": {
            **_grant(["service", "conversations", "activities"], WRITE),
            **_grant(["customers"], WRITE),
            **_grant(["commerce", "loyalty", "sales"], READ),
        },
    },
    {
        "slug": "analyst",
        "name": "Analyst",
        "visibility": Visibility.ALL,
        # Reads and exports everything; analytics in full, so analysts save, share and schedule
        # their own reports (the business grant comes first: a later key would replace it).
        "permissions": {
            **_grant(BUSINESS, ["view", "export"]),
            **_grant(["analytics"], ALL_ACTIONS),
        },
    },
    {
        # UU PDP art. 53: the data protection officer ("pejabat pelindungan data pribadi") runs
        # the breach register, the ROPA and data-subject requests, and needs to find and export
        # the affected customers; every record is visible, nothing else is granted.
        "slug": "dpo",
        "name": "Data protection officer",
        "visibility": Visibility.ALL,
        # Answering an access request (UU PDP art. 32) means reading the NIK and bank details
        # Relasi holds; every such read is in the read log.
        "may_view_sensitive": True,
        "permissions": {
            **_grant(["privacy"], ALL_ACTIONS),
            **_grant(["customers"], ["view", "export"]),
        },
    },
    {
        "slug": "readonly",
        "name": "Read-only",
        "visibility": Visibility.TEAM,
        "permissions": _grant(["customers", "sales", "activities", "service"], READ),
    },
]


def ensure_default_roles(role_model: Any) -> None:
    """Create missing default roles; never overwrite an administrator's edits. Fields the
    (historical, in a migration) model does not have yet are left to the migration adding them."""
    known = {f.name for f in role_model._meta.get_fields()}
    for spec in DEFAULT_ROLES:
        fields = {k: v for k, v in spec.items() if k != "slug" and k in known}
        role_model.objects.get_or_create(slug=spec["slug"], defaults=fields)
