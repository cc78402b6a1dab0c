"""Erasure: after erasing a person no identifier (name, e-mail, phone, NIK) is found anywhere —
any text or JSON column of any table, the search index, the API, the CSV export, the mart — and
the order figures are unchanged."""

import datetime as dt
import json
import os
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models

from relasi.analytics import mart
from relasi.commerce.models import Order
from relasi.commerce.tests import factories as shop
from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.core.models import OutboundEmail
from relasi.core.testing import client_for, make_user
from relasi.customers import actions as customer_actions
from relasi.customers import search
from relasi.customers.models import Customer, Note
from relasi.customers.tests.factories import person
from relasi.privacy import consent, dsr, erasure
from relasi.privacy.models import ConsentEvent, DataRequest
from relasi.sales.tests import factories as sales
from relasi.service.actions import tickets as ticket_actions
from relasi.service.models import TicketMessage
from relasi.service.tests.factories import ticket

pytestmark = pytest.mark.django_db

NAME = "Wulandari Kusumawardhani"
EMAIL = "wulan.kusuma@contoh.test"
PHONE = "+6281399887766"
NIK = "3273014509870002"
IDENTIFIERS = [NAME, EMAIL, PHONE, "081399887766", NIK, "Kusumawardhani"]


@pytest.fixture(autouse=True)
def _mart_dir(settings, tmp_path):
    settings.RELASI_MART_DIR = str(tmp_path / "mart")
    yield
    mart.close_all()


@pytest.fixture
def dpo(personas):
    return make_user("dpo", "dpo")


def _spread(personas):
    admin = personas.admin
    c = person(
        admin,
        "Wulandari",
        "Kusumawardhani",
        emails=[EMAIL],
        phones=[PHONE],
        background=f"NIK {NIK}, prefers calls",
    )
    c.national_id = NIK  # the encrypted field (core/crypto.py) and its blind index
    c.save()
    customer_actions.add_note(admin, c, f"Called {NAME}; NIK {NIK}; mail {EMAIL}")
    customer_actions.add_attachment(
        admin, c, SimpleUploadedFile("ktp.txt", f"KTP {NIK}".encode(), "text/plain")
    )
    customer_actions.update_customer(admin, c, {"occupation": "Guru", "region": "Priangan"})
    t = ticket(admin, c, subject=f"Refund for {NAME}", description=f"Her NIK is {NIK}")
    ticket_actions.add_reply(admin, t, f"Dear {NAME}, we called {PHONE}.")
    p = shop.product()
    o1 = shop.order(admin, customer_id=c.pk, lines=[(p, 2, Decimal("150000"))], note=f"for {NAME}")
    o2 = shop.order(admin, customer_id=c.pk, lines=[(p, 1, Decimal("50000"))])
    pipe = sales.pipeline()
    sales.deal(admin, pipe, name=f"Sofa for {NAME}", customer=c)
    sales.lead(admin, first_name="Wulandari", last_name="Kusumawardhani", email=EMAIL)
    audit.record(admin, AuditAction.UPDATE, c, changes={"note": [None, f"{NAME} {NIK}"]})
    OutboundEmail.objects.create(
        subject=f"Hello {NAME}",
        recipients=EMAIL,
        message={"to": [EMAIL], "body": f"Hi {NAME}"},
    )
    consent.record(
        admin, c, "marketing", "email", "granted", source="web_form", evidence=EMAIL, ip="10.1.2.3"
    )
    mart.refresh(full=True)
    return c, [o1.pk, o2.pk]


def _text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def _scan_database() -> list[str]:
    """Every text/char/JSON column of every table, as stored (JSON as its text)."""
    hits = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        for row in model._base_manager.values_list(*[f.attname for f in fields]):
            text = json.dumps(row, default=str, ensure_ascii=False).lower()
            hits += [f"{model._meta.label}: {i}" for i in IDENTIFIERS if i.lower() in text]
    if search.is_sqlite():  # PostgreSQL searches customers.search_text (scanned above)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT text FROM {search.FTS_TABLE}")  # noqa: S608
            for (text,) in cursor.fetchall():
                hits += [f"fts: {i}" for i in IDENTIFIERS if i.lower() in (text or "").lower()]
    return hits


def _scan_mart() -> list[str]:
    import duckdb

    mart.close_all()  # the test's own read connections
    hits = []
    for path in mart.directory().glob("mart-*.duckdb"):
        con = duckdb.connect(str(path), read_only=True)
        try:
            cols = con.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE data_type = 'VARCHAR'"
            ).fetchall()
            for table, col in cols:
                for i in IDENTIFIERS:
                    n = con.execute(
                        f'SELECT COUNT(*) FROM "{table}" WHERE "{col}" ILIKE ?',  # noqa: S608
                        [f"%{i}%"],
                    ).fetchone()[0]
                    if n:
                        hits.append(f"{path.name} {table}.{col}: {i}")
        finally:
            con.close()
    return hits


def _erase(dpo, c, django_capture_on_commit_callbacks):
    req = dsr.create_request(dpo, {"kind": "erasure", "customer": c, "details": f"Erase {NAME}"})
    req = dsr.verify(dpo, req, "id_document", "KTP seen")
    with django_capture_on_commit_callbacks(execute=True):
        return dsr.complete(dpo, req)


def test_erasure_leaves_no_identifier_anywhere(personas, dpo, django_capture_on_commit_callbacks):
    c, _order_ids = _spread(personas)
    files = [a.file.path for a in c.attachments.all()]
    assert Order.objects.filter(customer=c).count() == 2
    before = Order.objects.filter(customer=c).aggregate(n=models.Count("id"), t=models.Sum("total"))
    mart_before = mart.query("SELECT COUNT(*), SUM(net_amount) FROM fact_order_line")
    assert _scan_database(), "the fixture must put the identifiers in the database"
    assert _scan_mart(), "and in the mart"

    req = _erase(dpo, c, django_capture_on_commit_callbacks)

    assert req.status == "completed" and req.erased_at is not None
    assert _scan_database() == []
    assert _scan_mart() == []
    c.refresh_from_db()
    assert c.name == f"Erased #{c.pk}"
    assert c.background == "" and c.occupation == "" and c.primary_email == ""
    assert not c.national_id and not c.national_id_index
    assert not c.emails.exists() and not c.phones.exists() and not c.notes.exists()
    assert not c.attachments.exists()
    assert all(not os.path.exists(f) for f in files)
    assert set(TicketMessage.objects.filter(ticket__customer=c).values_list("body", flat=True)) <= {
        erasure.REDACTED
    }
    # Aggregates stay: the same orders, the same totals, in the database and in the mart.
    after = Order.objects.filter(customer=c).aggregate(n=models.Count("id"), t=models.Sum("total"))
    assert after == before
    assert mart.query("SELECT COUNT(*), SUM(net_amount) FROM fact_order_line") == mart_before
    # The consent ledger is kept as proof, without its evidence.
    event = ConsentEvent.objects.get(customer=c)
    assert (
        event.status in ("granted", "pending") and event.evidence == "" and event.ip_address is None
    )


def test_search_api_csv_and_mart_find_nothing(personas, dpo, django_capture_on_commit_callbacks):
    c, _orders = _spread(personas)
    admin = personas.admin
    assert search.search_customers(admin, EMAIL)
    _erase(dpo, c, django_capture_on_commit_callbacks)
    for ident in (NAME, EMAIL, PHONE, "081399887766", NIK):
        assert search.search_customers(admin, ident) == [], ident
    client = client_for(admin)
    body = client.get(f"/api/v1/customers/people/{c.pk}").content.decode()
    assert all(i.lower() not in body.lower() for i in IDENTIFIERS)
    response = client.get("/customers/people/export/", {"cols": "name,email,phone,background"})
    csv = b"".join(response.streaming_content).decode()
    assert f"Erased #{c.pk}" in csv
    assert all(i.lower() not in csv.lower() for i in IDENTIFIERS)
    rows = mart.query("SELECT name FROM dim_customer WHERE customer_key = ?", [c.pk])
    assert rows == [(f"Erased #{c.pk}",)]


def test_two_erased_people_with_suppressed_addresses(
    personas, dpo, django_capture_on_commit_callbacks
):
    from relasi.privacy import suppression
    from relasi.privacy.models import Suppression

    a = person(personas.admin, "Wulandari", "Kusumawardhani", emails=[EMAIL])
    b = person(personas.admin, "Ratna", "Sariwulandari", emails=["ratna.sari@contoh.test"])
    suppression.suppress("email", EMAIL, "bounced")
    suppression.suppress("email", "ratna.sari@contoh.test", "complaint")
    _erase(dpo, a, django_capture_on_commit_callbacks)
    _erase(dpo, b, django_capture_on_commit_callbacks)
    addresses = list(Suppression.objects.values_list("address", flat=True))
    assert len(addresses) == 2 and all(x.startswith("erased:") for x in addresses)


def test_another_customer_with_the_same_name_keeps_it(
    personas, dpo, django_capture_on_commit_callbacks
):
    c, _orders = _spread(personas)
    namesake = person(personas.admin, "Wulandari", "Kusumawardhani", emails=["other@contoh.test"])
    _erase(dpo, c, django_capture_on_commit_callbacks)
    namesake.refresh_from_db()
    assert namesake.name == NAME and namesake.primary_email == "other@contoh.test"


def test_grace_period_schedules_and_can_be_cancelled(personas, dpo, settings):
    import time_machine

    settings.PRIVACY_DSR_ERASURE_GRACE_HOURS = 48
    c = person(personas.admin, "Wulandari", "Kusumawardhani", emails=[EMAIL])
    req = dsr.create_request(dpo, {"kind": "erasure", "customer": c})
    req = dsr.verify(dpo, req, "in_person")
    req = dsr.complete(dpo, req)
    assert req.status == "in_progress" and req.erase_after is not None
    c.refresh_from_db()
    assert c.name == NAME  # not yet
    dsr.cancel_erasure(dpo, req)
    req.refresh_from_db()
    assert req.erase_after is None
    req = dsr.complete(dpo, req)
    with time_machine.travel(req.erase_after + dt.timedelta(minutes=1)):
        assert dsr.run_scheduled_erasures() == 1
        assert dsr.run_scheduled_erasures() == 0
    c.refresh_from_db()
    req.refresh_from_db()
    assert c.name == f"Erased #{c.pk}" and req.status == "completed"


def test_nothing_is_erased_before_verification(personas, dpo):
    from django.core.exceptions import PermissionDenied

    c = person(personas.admin, "Wulandari", "Kusumawardhani", emails=[EMAIL])
    req = dsr.create_request(dpo, {"kind": "erasure", "customer": c})
    with pytest.raises(PermissionDenied):
        dsr.complete(dpo, req)
    c.refresh_from_db()
    assert c.name == NAME
    assert DataRequest.objects.get(pk=req.pk).status == "received"


def test_a_field_added_later_is_cleared_too(personas, dpo, django_capture_on_commit_callbacks):
    """Erasure blanks every non-key text field it does not explicitly keep."""
    c = person(personas.admin, "Wulandari", "Kusumawardhani", emails=[EMAIL], legal_name=NAME)
    kept = {f.name for f in Customer._meta.concrete_fields if isinstance(f, models.CharField)}
    assert kept > erasure.KEEP_FIELDS
    _erase(dpo, c, django_capture_on_commit_callbacks)
    row = Customer.objects.filter(pk=c.pk).values()[0]
    for f in Customer._meta.concrete_fields:
        personal = isinstance(f, models.CharField | models.TextField) and not f.choices
        if personal and f.name not in ("name", "search_text"):
            assert row[f.attname] in ("", None), f.name
    assert Note.objects.filter(customer=c).count() == 0


def test_retention_uses_the_same_erasure(personas):
    from relasi.privacy import retention

    c = person(personas.admin, "Wulandari", "Kusumawardhani", emails=[EMAIL])
    assert retention._customer_skip(c) == ""
    assert retention._customer_anonymise(Customer.objects.filter(pk=c.pk)) == 1
    c.refresh_from_db()
    assert c.name == f"Erased #{c.pk}" and not c.emails.exists()


def test_an_erased_persons_suppressed_address_stays_refused_when_it_comes_back(
    personas, dpo, django_capture_on_commit_callbacks
):
    """Erasure hashes the suppressed address; the same address typed in again is still
    suppressed for one check and for the 360° grid, and nobody else's address is."""
    from relasi.privacy import gate, suppression

    a = person(personas.admin, "Wulandari", "Kusumawardhani", emails=[EMAIL])
    suppression.suppress("email", EMAIL, "complaint")
    _erase(dpo, a, django_capture_on_commit_callbacks)
    back = person(personas.admin, "Wulan", "K", emails=[EMAIL.upper()])
    consent.record(personas.admin, back, "service", "email", "granted", source="staff")
    assert gate.may_contact(back, "email", "service").reason == "suppressed"
    assert gate.decisions(back)[("service", "email")].reason == "suppressed"
    other = person(personas.admin, "Ratna", "Sari", emails=["ratna.sari@contoh.test"])
    consent.record(personas.admin, other, "service", "email", "granted", source="staff")
    assert gate.may_contact(other, "email", "service")
