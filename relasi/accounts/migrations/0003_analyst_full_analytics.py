"""Analysts save, share and schedule their own reports: installs seeded before the fix got the
business view/export grant over their full analytics grant. Adds the missing analytics actions to
the Analyst role, keeping whatever an administrator granted besides."""

from django.db import migrations

# The actions as they were when this migration was written (core.modules.ALL_ACTIONS).
ANALYTICS = ["view", "add", "change", "delete", "export", "import"]


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(slug="analyst"):
        have = set(role.permissions.get("analytics", []))
        wanted = have | set(ANALYTICS)
        if wanted != have:
            role.permissions = {**role.permissions, "analytics": sorted(wanted)}
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
