"""Quote templates still holding the first default layout get the one with the company
letterhead (logo, address, NPWP, bank details); templates an administrator changed are kept."""

import hashlib

from django.db import migrations

OLD_BODY_SHA256 = "7b089570d44dfdc9c1b4c0bb5c3e187c40f4b506d540d547f2492308cf004853"
OLD_CSS_SHA256 = "652257047704798fc31350a98bc9b5d19e01a929c93e8fcfcc6544ac315c0c1a"


def _sha(text):
    return hashlib.sha256((text or "").encode()).hexdigest()


def refresh_default_layout(apps, schema_editor):
    from relasi.sales import quoting

    QuoteTemplate = apps.get_model("sales", "QuoteTemplate")
    for tpl in QuoteTemplate.objects.all():
        changed = []
        if _sha(tpl.body) == OLD_BODY_SHA256:
            tpl.body = quoting.DEFAULT_BODY
            changed.append("body")
        if _sha(tpl.css) == OLD_CSS_SHA256:
            tpl.css = quoting.DEFAULT_CSS
            changed.append("css")
        if changed:
            tpl.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_scoringrule_name_id"),
    ]

    operations = [
        migrations.RunPython(refresh_default_layout, migrations.RunPython.noop),
    ]
