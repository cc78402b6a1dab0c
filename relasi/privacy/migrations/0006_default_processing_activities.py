"""The default processing activities of the ROPA (relasi/privacy/ropa.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from relasi.privacy import ropa

    ropa.ensure_defaults(
        apps.get_model("privacy", "ProcessingActivity"), apps.get_model("privacy", "Purpose")
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_breach_register_ropa")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
