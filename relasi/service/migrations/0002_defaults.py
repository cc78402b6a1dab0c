"""Starting configuration: ticket types, categories, office hours, Indonesian holidays
2025–2027, SLA targets per priority and one default queue. Administrators edit all of it."""

from django.db import migrations

TYPES = [
    ("complaint", "Complaint", "Keluhan", True),
    ("question", "Question", "Pertanyaan", False),
    ("service_request", "Service request", "Permintaan layanan", False),
    ("return", "Return / RMA", "Retur / RMA", False),
    ("warranty", "Warranty claim", "Klaim garansi", False),
]
CATEGORIES = [
    ("Product quality", "Kualitas produk"),
    ("Delivery", "Pengiriman"),
    ("Billing and payment", "Tagihan dan pembayaran"),
    ("Store service", "Pelayanan toko"),
    ("Installation and repair", "Instalasi dan perbaikan"),
    ("Account and membership", "Akun dan keanggotaan"),
    ("Other", "Lainnya"),
]
# Monday–Friday 08:00–12:00 and 13:00–17:00 (lunch break), Saturday 08:00–12:00.
WEEKDAY = [[480, 720], [780, 1020]]
HOURS = {"0": WEEKDAY, "1": WEEKDAY, "2": WEEKDAY, "3": WEEKDAY, "4": WEEKDAY, "5": [[480, 720]]}
SLA = [  # priority, first response, resolution (business minutes)
    ("urgent", 60, 480),
    ("high", 120, 960),
    ("normal", 240, 1440),
    ("low", 480, 2400),
]


def forwards(apps, schema_editor):
    from relasi.service.holidays_id import rows

    TicketType = apps.get_model("service", "TicketType")
    Category = apps.get_model("service", "Category")
    BusinessHours = apps.get_model("service", "BusinessHours")
    Holiday = apps.get_model("service", "Holiday")
    SLAPolicy = apps.get_model("service", "SLAPolicy")
    Queue = apps.get_model("service", "Queue")
    for i, (key, name, name_id, complaint) in enumerate(TYPES):
        TicketType.objects.get_or_create(
            key=key, defaults={"name": name, "name_id": name_id, "is_complaint": complaint, "order": i}
        )
    for i, (name, name_id) in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"name_id": name_id, "order": i})
    calendar, _c = BusinessHours.objects.get_or_create(
        name="Jam kantor", defaults={"hours": HOURS, "is_default": True, "timezone": "Asia/Jakarta"}
    )
    for day, name, kind, confirmed in rows():
        Holiday.objects.get_or_create(
            date=day, name=name, defaults={"kind": kind, "confirmed": confirmed}
        )
    for i, (priority, first, resolve) in enumerate(SLA):
        SLAPolicy.objects.get_or_create(
            name=f"Standar – {priority}",
            defaults={
                "order": 100 + i,
                "priority": priority,
                "first_response_minutes": first,
                "resolution_minutes": resolve,
                "calendar": calendar,
            },
        )
    Queue.objects.get_or_create(
        name="Layanan Pelanggan",
        defaults={"description": "Antrean umum", "is_default": True, "strategy": "round_robin"},
    )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
