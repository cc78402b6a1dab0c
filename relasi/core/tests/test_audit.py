"""Audit trail: who/when/what with field diffs, append-only, no secrets, shown on the record."""

import pyotp
import pytest

from relasi.accounts import actions as account_actions
from relasi.core.models import AuditEvent, Job
from relasi.core.testing import PASSWORD, client_for
from relasi.customers import actions
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def test_create_update_delete_recorded_with_diffs(personas):
    customer = person(personas.rep, "Audit", "Trail")
    created = AuditEvent.objects.for_object(customer).get(action="create")
    assert created.actor == personas.rep and created.at is not None
    assert created.changes["first_name"] == [None, "Audit"]
    actions.update_customer(
        personas.manager, customer, {"occupation": "Guru"}, expected_version=customer.version
    )
    updated = AuditEvent.objects.for_object(customer).filter(action="update").first()
    assert updated.actor == personas.manager
    assert updated.changes["occupation"] == ["", "Guru"]
    pk = customer.pk
    actions.delete_customer(personas.admin, customer)
    deleted = AuditEvent.objects.filter(action="delete", object_id=str(pk)).get()
    assert deleted.actor == personas.admin
    assert deleted.changes["first_name"] == ["Audit", None]


def test_append_only(personas):
    person(personas.rep)
    event = AuditEvent.objects.first()
    event.message = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(message="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).message != "tampered"


def test_no_secrets_in_changes(personas):
    user = personas.rep
    user.totp_secret = pyotp.random_base32()
    user.save()
    account_actions.update_user(personas.admin, user, {"first_name": "Changed", "is_active": True})
    client = client_for(user)
    client.post("/accounts/email/", {"email": "rep2@example.test", "current_password": PASSWORD})
    text = " ".join(str(e.changes) + e.message for e in AuditEvent.objects.all())
    assert user.totp_secret not in text
    assert user.password not in text
    assert "argon2" not in text and "md5$" not in text and "pbkdf2" not in text
    for event in AuditEvent.objects.all():
        for key in ("password", "totp_secret", "recovery_codes", "totp_last_step"):
            assert key not in event.changes


def test_history_on_record_page(personas):
    customer = person(personas.rep, "History", "Shown")
    actions.update_customer(
        personas.rep, customer, {"occupation": "Petani"}, expected_version=customer.version
    )
    html = client_for(personas.rep).get(f"/customers/people/{customer.pk}/").content.decode()
    assert "Petani" in html


def test_no_ui_or_api_to_edit_audit(personas):
    client = client_for(personas.admin)
    assert client.get("/audit/").status_code == 200
    assert client.post("/audit/").status_code == 405
    assert client_for(personas.rep).get("/audit/").status_code == 403


def test_job_progress_page(personas):
    job = Job.objects.create(kind="import", owner=personas.rep, progress_done=5, progress_total=10)
    client = client_for(personas.rep)
    response = client.get(f"/jobs/{job.pk}/")
    assert response.status_code == 200
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert b"50" in fragment.content
    assert b"<html" not in fragment.content.lower()
    assert client_for(personas.teammate).get(f"/jobs/{job.pk}/").status_code == 404
    assert client_for(personas.admin).get(f"/jobs/{job.pk}/").status_code == 200


def test_audit_trail_page_reads_like_the_history_panel(personas):
    """Field labels and formatted values, not raw names and JSON (issue #19)."""
    from relasi.sales.models import Product

    customer = person(personas.rep, "Readable", "Trail")
    actions.update_customer(
        personas.rep, customer, {"occupation": "Petani"}, expected_version=customer.version
    )
    product = Product.objects.create(name="Kulkas", sku="KL-1", unit_price="4500000.00")
    from relasi.core import records

    records.update_record(personas.admin, product, {"unit_price": "45000000.00"})
    html = client_for(personas.admin).get("/audit/").content.decode()
    assert "Occupation:</span>" in html and "occupation:</span>" not in html
    assert "45000000.00" not in html and "45,000,000" in html
