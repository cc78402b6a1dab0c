"""The settings pages: permissions, create with the SSRF check, the delivery log,
redelivery and the secret fragments."""

import pytest

from relasi.customers.tests.factories import person
from relasi.webhooks.models import Delivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_pages_for_admin_only(personas, as_user, settings):
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = False
    admin = as_user(personas.admin)
    assert as_user(personas.rep).get("/webhooks/endpoints/").status_code == 403
    assert admin.get("/webhooks/endpoints/").status_code == 200
    page = admin.get("/webhooks/endpoints/new/")
    assert b"ticket.sla_breached" in page.content
    bad = admin.post("/webhooks/endpoints/new/", {"name": "x", "url": "http://127.0.0.1/",
                     "event_types": ["*"], "active": "on"})  # fmt: skip
    assert bad.status_code == 400 and b"private or local" in bad.content
    assert not WebhookEndpoint.objects.exists()
    settings.RELASI_WEBHOOK_ALLOW_PRIVATE = True
    ok = admin.post("/webhooks/endpoints/new/", {"name": "x", "url": "http://127.0.0.1:9/",
                    "event_types": ["person.created"], "active": "on"})  # fmt: skip
    assert ok.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.owner == personas.admin
    person(personas.rep)
    row = Delivery.objects.get()
    detail = admin.get(f"/webhooks/endpoints/{endpoint.pk}/")
    assert row.event.uid.encode() in detail.content
    shown = admin.post(f"/webhooks/endpoints/{endpoint.pk}/secret/")
    assert endpoint.get_secret().encode() in shown.content
    rotated = admin.post(f"/webhooks/endpoints/{endpoint.pk}/secret/", {"rotate": "1"})
    endpoint.refresh_from_db()
    assert endpoint.get_secret().encode() in rotated.content
    assert (
        as_user(personas.rep).post(f"/webhooks/endpoints/{endpoint.pk}/secret/").status_code == 403
    )
    Delivery.objects.filter(pk=row.pk).update(status="failed", attempts=12)
    again = admin.post(f"/webhooks/deliveries/{row.pk}/redeliver/")
    assert again.status_code == 200
    row.refresh_from_db()
    assert row.status in ("pending", "delivered", "failed") and row.attempts <= 1
