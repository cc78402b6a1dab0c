"""The privacy API: permissions, visibility, consents, contactability, replies, suppressions."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from relasi.customers.tests.factories import person
from relasi.privacy import consent

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))


def test_consents_through_the_api(personas, as_user):
    c = person(personas.rep)
    api = as_user(personas.rep)
    base = f"/api/v1/privacy/customers/{c.pk}"
    r = api.post(f"{base}/consents", {"purpose": "marketing", "channel": "sms",
                 "status": "granted", "source": "staff_call", "wording": "Promo SMS?"},
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "granted"
    assert r.json()["wording_version"]
    r = api.post(f"{base}/consents", {"purpose": "marketing", "channel": "email",
                 "status": "granted"}, content_type="application/json")  # fmt: skip
    assert r.json()["status"] == "pending"  # API grants on e-mail wait for the link
    bad = api.post(f"{base}/consents", {"purpose": "nope", "channel": "sms", "status": "granted"},
                   content_type="application/json")  # fmt: skip
    assert bad.status_code == 422
    forged = api.post(f"{base}/consents", {"purpose": "marketing", "channel": "sms",
                      "status": "granted", "source": "migration"},
                      content_type="application/json")  # fmt: skip
    assert forged.status_code == 422
    states = {(s["purpose"], s["channel"]): s["status"] for s in api.get(f"{base}/consents").json()}
    assert states == {("marketing", "sms"): "granted", ("marketing", "email"): "pending"}
    page = api.get(f"{base}/consent-events").json()
    assert len(page["items"]) == 2 and page["items"][0]["channel"] == "email"
    with time_machine.travel(NOON):
        d = api.get(f"{base}/contactability?purpose=marketing&channel=email").json()
    assert d == [{"purpose": "marketing", "channel": "email", "allowed": False,
                  "reason": "pending", "message": d[0]["message"], "not_before": None}]  # fmt: skip


def test_other_teams_and_read_only_roles_are_refused(personas, as_user):
    c = person(personas.rep)
    base = f"/api/v1/privacy/customers/{c.pk}"
    outsider = as_user(personas.other_rep)
    assert outsider.get(f"{base}/consents").status_code == 404
    body = {"purpose": "marketing", "channel": "sms", "status": "granted"}
    assert (
        outsider.post(f"{base}/consents", body, content_type="application/json").status_code == 404
    )
    readonly = as_user(personas.readonly)
    r = readonly.post(f"{base}/consents", body, content_type="application/json")
    assert r.status_code in (403, 404)
    assert not c.consent_events.exists()
    # replies and the suppression list are the privacy module's
    assert as_user(personas.rep).get("/api/v1/privacy/suppressions").status_code == 403
    r = as_user(personas.rep).post("/api/v1/privacy/replies", {"channel": "sms",
                                   "sender": "0812", "text": "STOP"},
                                   content_type="application/json")  # fmt: skip
    assert r.status_code == 403


def test_contactable_set_and_replies(personas, as_user):
    a = person(personas.rep, "Ani", "Satu", phones=["081234567890"])
    b = person(personas.rep, "Bayu", "Dua")
    consent.record(None, a, "marketing", "email", "granted", source="import")
    consent.record(None, b, "marketing", "email", "withdrawn", source="import")
    admin = as_user(personas.admin)
    with time_machine.travel(NOON):
        r = admin.get("/api/v1/privacy/contactable?purpose=marketing&channel=email").json()
    assert r["count"] == 1 and r["ids"] == [a.pk]
    consent.record(None, a, "marketing", "whatsapp", "granted", source="api")
    r = admin.post("/api/v1/privacy/replies", {"channel": "whatsapp", "sender": "+6281234567890",
                   "text": "ya", "message_id": "wamid.1"}, content_type="application/json")  # fmt: skip
    assert r.json()["action"] == "confirmed"
    assert consent.current_status(a, "marketing", "whatsapp") == "granted"
    r = admin.post("/api/v1/privacy/suppressions", {"channel": "email",
                   "address": "Ani.Satu@example.test", "reason": "bounced"},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["address"] == "ani.satu@example.test"
    with time_machine.travel(NOON):
        r = admin.get("/api/v1/privacy/contactable?purpose=marketing&channel=email").json()
    assert r["count"] == 0


def test_the_people_list_api_filters_on_consent(personas, as_user):
    a = person(personas.rep, "Ani", "Satu")
    person(personas.rep, "Bayu", "Dua")
    consent.record(None, a, "partners", "sms", "granted", source="staff_call")
    api = as_user(personas.rep)
    r = api.get(
        "/api/v1/customers/people?consent=granted&consent_purpose=partners&consent_channel=sms"
    )
    assert [i["name"] for i in r.json()["items"]] == ["Ani Satu"]
    r = api.get(
        "/api/v1/customers/people?consent=none&consent_purpose=partners&consent_channel=sms"
    )
    assert [i["name"] for i in r.json()["items"]] == ["Bayu Dua"]
    assert api.get("/api/v1/customers/people?consent=maybe").status_code == 422
    assert (
        api.get("/api/v1/customers/people?consent=granted&consent_purpose=nope").status_code == 422
    )
