"""Wave 1 kept one "contact permission" per channel (customers.ContactPermission, no purpose).
Each becomes a ledger event: an opt-in a granted consent for marketing; an opt-out a withdrawal
for every purpose on the consent basis (marketing, sharing with partners) — the careful reading of
"do not contact me on this channel". The state follows from the events; the old table goes in
customers 0007."""

from django.db import migrations

STATUS = {"opted_in": "granted", "opted_out": "withdrawn"}


def forward(apps, schema_editor):
    from relasi.privacy import defaults

    db = schema_editor.connection.alias  # the database being migrated (move_to_postgres)
    Purpose = apps.get_model("privacy", "Purpose")
    defaults.ensure(Purpose, apps.get_model("privacy", "ChannelPolicy"), using=db)
    ContactPermission = apps.get_model("customers", "ContactPermission")
    ConsentEvent = apps.get_model("privacy", "ConsentEvent")
    ConsentState = apps.get_model("privacy", "ConsentState")
    marketing = Purpose.objects.using(db).get(key="marketing")
    consent_based = list(Purpose.objects.using(db).filter(basis="consent"))
    batch = []
    for perm in ContactPermission.objects.using(db).order_by("captured_at", "id").iterator(chunk_size=2000):
        status = STATUS.get(perm.status)
        if status is None:
            continue
        evidence = " · ".join(p for p in (perm.source, perm.evidence) if p)[:300]
        for purpose in [marketing] if status == "granted" else consent_based:
            batch.append(
                ConsentEvent(
                    customer_id=perm.customer_id, purpose=purpose, channel=perm.channel,
                    status=status, basis="consent", source="migration", evidence=evidence,
                    occurred_at=perm.captured_at, recorded_at=perm.captured_at,
                    actor_id=perm.captured_by_id,
                )
            )  # fmt: skip
        if len(batch) >= 2000:
            ConsentEvent.objects.using(db).bulk_create(batch)
            batch = []
    ConsentEvent.objects.using(db).bulk_create(batch)
    latest = {}
    rows = ConsentEvent.objects.using(db).values_list(
        "customer_id", "purpose_id", "channel", "occurred_at", "id", "status"
    )
    for customer_id, purpose_id, channel, at, pk, status in rows.iterator(chunk_size=5000):
        key = (customer_id, purpose_id, channel)
        if key not in latest or (at, pk) > latest[key][:2]:
            latest[key] = (at, pk, status)
    ConsentState.objects.using(db).all().delete()
    ConsentState.objects.using(db).bulk_create(
        [
            ConsentState(
                customer_id=c, purpose_id=p, channel=ch, status=s, event_id=pk, occurred_at=at
            )
            for (c, p, ch), (at, pk, s) in latest.items()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_consent_ledger"),
        ("customers", "0006_import_background_invalid_phones"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
