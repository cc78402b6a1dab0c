"""The default purposes and channel policies (relasi/privacy/defaults.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from relasi.privacy import defaults

    defaults.ensure(
        apps.get_model("privacy", "Purpose"),
        apps.get_model("privacy", "ChannelPolicy"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_purposes")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
