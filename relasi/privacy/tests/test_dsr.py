"""Data-subject requests: the deadline clock (time-machine), reminders once, escalation,
verification before disclosure, objection withdrawals, portal filing, permissions (UI and API)
and the audit trail shown as the request's history."""

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from relasi.activities.models import Notification
from relasi.core.testing import client_for, make_user
from relasi.customers.tests.factories import person
from relasi.privacy import consent, dsr
from relasi.privacy.models import DataRequest

pytestmark = pytest.mark.django_db

JKT = zoneinfo.ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2026, 2, 27, 21, 30, tzinfo=JKT)  # the deadline crosses the month end
H = dt.timedelta(hours=1)


@pytest.fixture
def dpo(personas):
    return make_user("dpo", "dpo")


def _file(actor, customer, at=T0, **extra):
    with time_machine.travel(at, tick=False):
        return dsr.create_request(actor, {"kind": "access", "customer": customer, **extra})


def _kinds(user):
    qs = Notification.objects.filter(user=user).exclude(kind="privacy.dsr.new")
    return sorted(qs.values_list("kind", flat=True))


def test_deadline_defaults_to_72_hours_and_is_configurable_per_type(personas, dpo, settings):
    c = person(personas.admin)
    req = _file(personas.admin, c)
    assert req.due_hours == 72
    assert req.deadline == dt.datetime(2026, 3, 2, 21, 30, tzinfo=JKT)
    assert req.assigned_to == dpo  # the first active DPO
    settings.PRIVACY_DSR_HOURS = {"default": 72, "erasure": 48}
    erase = _file(personas.admin, c, kind="erasure")
    assert erase.due_hours == 48 and erase.deadline == T0 + 48 * H
    with time_machine.travel(T0 + 47 * H, tick=False):
        assert erase.clock().state == "urgent" and not erase.clock().overdue
    with time_machine.travel(T0 + 49 * H, tick=False):
        assert erase.clock().state == "overdue"


def test_without_a_dpo_the_administrator_is_assigned(personas):
    req = _file(personas.rep, person(personas.rep))
    assert req.assigned_to == personas.admin


def test_reminders_after_24_and_48_hours_once_then_escalation(personas, dpo):
    req = _file(personas.admin, person(personas.admin))
    for hours, expected in ((1, {}), (24.5, {"reminders": 1}), (30, {}), (48.2, {"reminders": 1})):
        with time_machine.travel(T0 + hours * H, tick=False):
            counts = dsr.check_clocks()
            assert {k: v for k, v in counts.items() if v} == expected, hours
    assert _kinds(dpo) == ["privacy.dsr.24h", "privacy.dsr.48h"]
    with time_machine.travel(T0 + 73 * H, tick=False):
        assert dsr.check_clocks()["escalations"] == 1
        assert dsr.check_clocks()["escalations"] == 0  # idempotent
    assert "privacy.dsr.escalation" in _kinds(personas.admin)
    assert "privacy.dsr.escalation" not in _kinds(dpo)
    req.refresh_from_db()
    assert req.reminded_24_at and req.reminded_48_at and req.escalated_at


def test_a_late_sweep_sends_only_the_latest_step(personas, dpo):
    _file(personas.admin, person(personas.admin))
    with time_machine.travel(T0 + 50 * H, tick=False):
        assert dsr.check_clocks()["reminders"] == 1
    assert _kinds(dpo) == ["privacy.dsr.48h"]


def test_a_closed_request_stops_its_clock(personas, dpo):
    req = _file(personas.admin, person(personas.admin))
    with time_machine.travel(T0 + 2 * H, tick=False):
        req = dsr.verify(dpo, req, "id_document", "KTP")
        req = dsr.complete(dpo, req, "Sent the export")
    with time_machine.travel(T0 + 100 * H, tick=False):
        assert dsr.check_clocks() == {"reminders": 0, "escalations": 0, "erased": 0}
        assert req.clock().state == "met"


def test_verification_gates_disclosure_and_steps_are_the_history(personas, dpo):
    from django.core.exceptions import PermissionDenied

    c = person(personas.admin)
    req = _file(dpo, c)
    with pytest.raises(PermissionDenied):
        dsr.record_export(dpo, req, "json")
    with pytest.raises(ValidationError):
        dsr.verify(dpo, req, "telepathy")
    req = dsr.verify(dpo, req, "email_link", "clicked")
    assert req.status == "in_progress" and req.verified_by == dpo and req.verified_at
    dsr.record_export(dpo, req, "json")
    with pytest.raises(ValidationError):
        dsr.reject(dpo, req, "  ")
    req = dsr.reject(dpo, req, "Duplicate of DSR-00001")
    assert req.status == "rejected" and req.resolution == "Duplicate of DSR-00001"
    messages = [e.message for e in dsr.history(req)]
    assert messages[0] == "request received"
    assert "identity verified: email_link" in messages
    assert "data export (json)" in messages and messages[-1] == "request rejected"
    with pytest.raises(ValidationError):
        dsr.complete(dpo, req)


def test_unmatched_request_needs_contact_details_and_a_customer_to_verify(personas, dpo):
    with pytest.raises(ValidationError):
        dsr.create_request(dpo, {"kind": "access"})
    req = dsr.create_request(dpo, {"kind": "access", "requester_email": "x@contoh.test"})
    assert req.customer is None
    with pytest.raises(ValidationError):
        dsr.verify(dpo, req, "in_person")
    c = person(personas.admin)
    req = dsr.update_request(dpo, req, {"customer": c})
    assert dsr.verify(dpo, req, "in_person").verified


def test_objection_withdraws_the_purposes_on_every_channel(personas, dpo):
    c = person(personas.admin)
    consent.record(personas.admin, c, "marketing", "whatsapp", "granted", source="staff")
    req = dsr.create_request(dpo, {"kind": "objection", "customer": c, "purposes": ["marketing"]})
    with pytest.raises(ValidationError):
        dsr.create_request(dpo, {"kind": "objection", "customer": c, "purposes": ["nope"]})
    req = dsr.verify(dpo, req, "in_person")
    dsr.complete(dpo, req)
    for channel in ("email", "whatsapp", "sms", "phone", "post"):
        assert consent.current_status(c, "marketing", channel) == "withdrawn", channel


# --- the portal -----------------------------------------------------------------------------------
def test_portal_customer_files_a_request(personas, dpo, client):
    from relasi.service.views.portal import sign_in

    c = person(personas.admin, emails=["siti@contoh.test"])
    assert client.get(reverse("portal:my_data")).status_code == 302  # not signed in
    session = client.session
    sign_in(type("R", (), {"session": session})(), c)  # the portal's own sign-in
    session.save()
    client.cookies["sessionid"] = session.session_key
    page = client.get(reverse("portal:my_data"))
    assert page.status_code == 200 and b"portal-dsr-form" in page.content
    r = client.post(reverse("portal:my_data"), {"kind": "export", "details": "Please"})
    assert r.status_code == 302, getattr(r, "content", b"")[:500]
    req = DataRequest.objects.get(customer=c)
    assert req.channel == "portal" and req.kind == "export" and req.assigned_to == dpo
    assert req.verification_method == "portal" and req.verified_at is not None
    assert req.reference.encode() in client.get(reverse("portal:my_data")).content


# --- permissions ----------------------------------------------------------------------------------
def test_sales_and_service_roles_get_403(personas, dpo):
    agent = make_user("agent", "service", personas.team_a)
    c = person(personas.rep)
    req = _file(dpo, c)
    for user in (personas.rep, agent):
        client = client_for(user)
        assert client.get(reverse("privacy:dsr_list")).status_code == 403
        assert client.get(reverse("privacy:dsr_detail", args=[req.pk])).status_code == 403
        assert client.get("/api/v1/privacy/requests").status_code == 403
        assert client.get(f"/api/v1/privacy/requests/{req.pk}").status_code == 403
        r = client.post(
            "/api/v1/privacy/requests",
            {"kind": "access", "customer_id": c.pk},
            content_type="application/json",
        )
        assert r.status_code == 403


def test_invisible_customer_is_404(personas, dpo):
    from relasi.accounts.models import Role

    own = Role.objects.create(
        slug="privacy-own",
        name="Privacy (own)",
        visibility="own",
        permissions={"privacy": ["view", "add", "change", "export"], "customers": ["view"]},
    )
    clerk = make_user("clerk", "readonly")
    clerk.role = own
    clerk.save()
    hidden = person(personas.other_rep)
    req = _file(dpo, hidden)
    client = client_for(clerk)
    r = client.post(
        "/api/v1/privacy/requests",
        {"kind": "access", "customer_id": hidden.pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert client.get(f"/api/v1/privacy/requests/{req.pk}").status_code == 404
    assert client.get(reverse("privacy:dsr_detail", args=[req.pk])).status_code == 404
    r = client.post(reverse("privacy:dsr_new"), {"kind": "access", "customer": hidden.pk})
    assert r.status_code == 404


def test_api_flow_file_verify_export(personas, dpo):
    c = person(personas.admin, "Dewi", "Lestari")
    client = client_for(dpo)
    r = client.post(
        "/api/v1/privacy/requests",
        {"kind": "export", "customer_id": c.pk, "details": "portability"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["channel"] == "api" and body["due_hours"] == 72 and body["assigned_to_id"] == dpo.pk
    pk = body["id"]
    assert client.get(f"/api/v1/privacy/requests/{pk}/export").status_code == 409
    r = client.post(
        f"/api/v1/privacy/requests/{pk}/verify",
        {"method": "id_document"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    data = json.loads(client.get(f"/api/v1/privacy/requests/{pk}/export").content)
    assert data["sections"]["customer"]["name"] == "Dewi Lestari"
    steps = client.get(f"/api/v1/privacy/requests/{pk}/history").json()
    assert [s["message"] for s in steps][-1] == "data export (json)"
    listed = client.get("/api/v1/privacy/requests", {"status": "open"}).json()
    assert [i["id"] for i in listed["items"]] == [pk]


def test_staff_pages(personas, dpo):
    c = person(personas.admin, "Dewi", "Lestari")
    client = client_for(dpo)
    detail = client_for(personas.admin).get(c.get_absolute_url())
    assert b'id="dsr-action"' in detail.content
    assert client.get(reverse("privacy:dsr_new"), {"customer": c.pk}).status_code == 200
    r = client.post(reverse("privacy:dsr_new"), {"kind": "access", "customer": c.pk})
    assert r.status_code == 302
    req = DataRequest.objects.get()
    page = client.get(reverse("privacy:dsr_list"))
    assert page.status_code == 200 and req.reference.encode() in page.content
    assert client.get(reverse("privacy:dsr_list"), {"overdue": 1}).content.count(b"DSR-") == 0
    url = reverse("privacy:dsr_export", args=[req.pk, "json"])
    assert client.get(url).status_code == 302  # not verified yet: back to the request
    client.post(reverse("privacy:dsr_verify", args=[req.pk]), {"method": "in_person"})
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert "no-store" in r["Cache-Control"]
    pdf = client.get(reverse("privacy:dsr_export", args=[req.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = client.get(req.get_absolute_url())
    assert b"dsr-steps" in page.content and b"data export (pdf)" in page.content
    client.post(reverse("privacy:dsr_complete", args=[req.pk]), {"text": "Sent"})
    req.refresh_from_db()
    assert req.status == "completed"
