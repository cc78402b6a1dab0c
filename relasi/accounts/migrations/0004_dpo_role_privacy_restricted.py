"""The Data protection officer role on installs seeded before it existed, and the privacy module
taken back from the Manager and Analyst roles, which got it with the business grant before the
privacy pages existed. A grant an administrator changed since (anything but the old default) is
left as it is."""

from django.db import migrations

# The values as they were when this migration was written (roles.py, core.modules.ALL_ACTIONS).
ALL = ["view", "add", "change", "delete", "export", "import"]
OLD_DEFAULT = {"manager": ALL, "analyst": ["view", "export"]}
DPO = {
    "name": "Data protection officer",
    "visibility": "all",
    "permissions": {"privacy": ALL, "customers": ["view", "export"]},
}


def forward(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    if not Role.objects.filter(slug="dpo").exists() and not Role.objects.filter(
        name=DPO["name"]
    ).exists():
        Role.objects.create(slug="dpo", **DPO)
    for role in Role.objects.filter(slug__in=OLD_DEFAULT):
        granted = role.permissions.get("privacy")
        if granted is not None and sorted(granted) == sorted(OLD_DEFAULT[role.slug]):
            role.permissions = {k: v for k, v in role.permissions.items() if k != "privacy"}
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_analyst_full_analytics")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
