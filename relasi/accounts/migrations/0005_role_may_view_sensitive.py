"""Roles get a flag for sensitive fields (NIK, bank accounts); the Administrator and Data
protection officer roles have it, as a new install's do (accounts/roles.py). Other roles stay
without it until an administrator grants it in the role editor."""

from django.db import migrations, models


def grant_administrators(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(slug__in=["administrator", "dpo"]).update(may_view_sensitive=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_dpo_role_privacy_restricted")]
    operations = [
        migrations.AddField(
            model_name="role",
            name="may_view_sensitive",
            field=models.BooleanField(
                default=False,
                verbose_name="may see and change sensitive fields (NIK, bank account)",
            ),
        ),
        migrations.RunPython(grant_administrators, migrations.RunPython.noop),
    ]
