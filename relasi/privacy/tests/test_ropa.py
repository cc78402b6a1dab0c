"""The record of processing activities: defaults, editing (UI and API), the regulator's export
(CSV, XLSX, PDF in both languages), permissions and the audit trail."""

import io
import zipfile

import pytest
from django.urls import reverse

from relasi.accounts.models import ApiToken
from relasi.core.models import AuditEvent
from relasi.core.testing import client_for, make_user
from relasi.privacy import ropa
from relasi.privacy.models import ProcessingActivity, Purpose

pytestmark = pytest.mark.django_db

DEFAULT_KEYS = {"customer-records", "orders", "service-tickets", "marketing",
                "service-messages", "profiling", "partners"}  # fmt: skip


@pytest.fixture
def dpo(personas):
    return make_user("dpo", "dpo")


def test_defaults_exist_after_migrate_and_ensure_is_idempotent():
    assert set(ProcessingActivity.objects.values_list("key", flat=True)) == DEFAULT_KEYS
    marketing = ProcessingActivity.objects.get(key="marketing")
    assert marketing.purpose == Purpose.objects.get(key="marketing")
    assert marketing.basis == "consent" and "contact" in marketing.data_categories
    # One per default purpose (service messages and service tickets share "service").
    assert set(Purpose.objects.values_list("key", flat=True)) <= set(
        ProcessingActivity.objects.exclude(purpose=None).values_list("purpose__key", flat=True)
    )
    ProcessingActivity.objects.filter(key="orders").update(retention="edited")
    ropa.ensure_defaults(ProcessingActivity, Purpose)
    assert ProcessingActivity.objects.count() == len(DEFAULT_KEYS)
    assert ProcessingActivity.objects.get(key="orders").retention == "edited"


def test_defaults_follow_the_install_language():
    ProcessingActivity.objects.all().delete()
    ropa.ensure_defaults(ProcessingActivity, Purpose, language="id")
    assert ProcessingActivity.objects.get(key="orders").retention.startswith("10 tahun")
    ProcessingActivity.objects.all().delete()
    ropa.ensure_defaults(ProcessingActivity, Purpose, language="en")
    assert ProcessingActivity.objects.get(key="orders").retention.startswith("10 years")


def test_dpo_edits_an_activity_with_history(dpo):
    activity = ProcessingActivity.objects.get(key="orders")
    client = client_for(dpo)
    form = client.get(reverse("privacy:processing_edit", args=[activity.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("privacy:processing_edit", args=[activity.pk]),
        {
            "name": "Orders", "name_id": "Pesanan", "basis": "contract",
            "subject_categories": ["customers"], "data_categories": ["purchases", "financial"],
            "transfers_abroad": "on", "transfer_destinations": "Singapore (cloud hosting)",
            "transfer_safeguards": "Standard contractual clauses", "retention": "10 years",
            "active": "on", "sort_order": "10", "version": str(activity.version),
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1500]
    activity.refresh_from_db()
    assert activity.transfers_abroad and activity.data_categories == ["financial", "purchases"]
    events = AuditEvent.objects.for_object(activity)
    assert any("transfers_abroad" in e.changes for e in events)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Singapore (cloud hosting)" in page and 'id="history-panel"' in page
    assert client.get(reverse("privacy:processing_list")).status_code == 200


@pytest.mark.parametrize(
    ("lang", "title", "yes"),
    [("id", "Aktivitas pemrosesan", "Ya"), ("en", "Processing activity", "Yes")],
)
def test_regulator_export_csv_and_xlsx_in_both_languages(dpo, lang, title, yes):
    ProcessingActivity.objects.filter(key="orders").update(transfers_abroad=True)
    ProcessingActivity.objects.filter(key="partners").update(active=False)
    client = client_for(dpo)
    csv = client.get(reverse("privacy:processing_regulator", args=["csv", lang]))
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith(title + ",")
    assert len(lines) == 1 + len(DEFAULT_KEYS) - 1  # inactive activities are left out
    orders = next(line for line in lines if line.startswith(("Orders", "Pesanan")))
    assert ("Pesanan" if lang == "id" else "Orders") in orders and f",{yes}," in orders
    xlsx = client.get(reverse("privacy:processing_regulator", args=["xlsx", lang]))
    book = zipfile.ZipFile(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert title in sheet and ("Riwayat pembelian" if lang == "id" else "Purchase history") in sheet
    messages = list(AuditEvent.objects.filter(action="export").values_list("message", flat=True))
    assert f"ROPA CSV ({lang})" in messages and f"ROPA XLSX ({lang})" in messages


@pytest.mark.parametrize("lang", ["id", "en"])
def test_regulator_export_pdf(dpo, lang):
    html = ropa.render_html(ProcessingActivity.objects.filter(active=True), lang)
    assert ("Catatan aktivitas pemrosesan" if lang == "id" else "Record of processing") in html
    assert ("Pasal 31 UU PDP" if lang == "id" else "GDPR art. 30") in html
    response = client_for(dpo).get(reverse("privacy:processing_regulator", args=["pdf", lang]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_non_privacy_roles_get_403(personas):
    activity = ProcessingActivity.objects.first()
    urls = [
        reverse("privacy:processing_list"),
        reverse("privacy:processing_create"),
        reverse("privacy:processing_detail", args=[activity.pk]),
        reverse("privacy:processing_regulator", args=["pdf", "id"]),
        reverse("privacy:processing_regulator", args=["csv", "en"]),
    ]
    users = [personas.manager, personas.rep, personas.readonly, make_user("agent", "service"),
             make_user("analyst", "analyst")]  # fmt: skip
    for user in users:
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
    assert client_for(personas.admin).get(urls[0]).status_code == 200


def test_api_crud_and_permissions(dpo, personas):
    def bearer(user):
        token, raw = ApiToken.generate(user=user, name="t", scopes={"*": "write"})
        token.save()
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    client = client_for(None)
    base = "/api/v1/privacy/processing"
    assert client.get(base, **bearer(personas.manager)).status_code == 403
    assert client.get(base, **bearer(make_user("analyst", "analyst"))).status_code == 403
    headers = bearer(dpo)
    listed = client.get(base, **headers).json()
    assert {a["key"] for a in listed["items"]} == DEFAULT_KEYS
    created = client.post(
        base,
        {"name": "CCTV in stores", "basis": "legitimate_interests",
         "subject_categories": ["customers", "staff"], "data_categories": ["biometric"],
         "retention": "30 days"},
        content_type="application/json",
        **headers,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client.post(base, {"name": "x", "subject_categories": ["aliens"]},
                      content_type="application/json", **headers)  # fmt: skip
    assert bad.status_code == 422
    patched = client.patch(f"{base}/{pk}", {"transfers_abroad": True, "version": 1},
                           content_type="application/json", **headers)  # fmt: skip
    assert patched.status_code == 200 and patched.json()["transfers_abroad"] is True
    stale = client.patch(f"{base}/{pk}", {"retention": "1 day", "version": 1},
                         content_type="application/json", **headers)  # fmt: skip
    assert stale.status_code == 409
    assert client.delete(f"{base}/{pk}", **bearer(personas.rep)).status_code == 403
    assert client.delete(f"{base}/{pk}", **headers).status_code == 204
    assert not ProcessingActivity.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(pk)).exists()
