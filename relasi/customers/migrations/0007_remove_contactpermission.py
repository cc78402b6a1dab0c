"""Contact permissions now live in the privacy app's consent ledger (privacy 0004 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_import_background_invalid_phones"),
        ("privacy", "0004_from_contact_permissions"),
    ]
    operations = [migrations.DeleteModel(name="ContactPermission")]
