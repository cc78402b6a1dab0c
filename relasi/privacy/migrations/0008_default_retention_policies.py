"""The fresh-install retention policies (relasi/privacy/retention.py DEFAULTS)."""

from django.db import migrations


def create(apps, schema_editor):
    from relasi.privacy import retention

    retention.ensure_defaults(apps.get_model("privacy", "RetentionPolicy"))


class Migration(migrations.Migration):
    dependencies = [("privacy", "0007_retention")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
