"""The orders import target end to end through the importer's pages: a POS export with
Indonesian headers is uploaded, mapped automatically, dry-run, run (orders, lines, payments,
matched customers, rejected rows with reasons), re-imported without duplicates, and undone."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relasi.analytics import mart
from relasi.analytics.models import MartRefresh
from relasi.commerce.models import DeletedOrder, Order, OrderLine, Payment
from relasi.commerce.tests import factories as f
from relasi.customers.tests.factories import person
from relasi.integrations.models import ImportJob

pytestmark = pytest.mark.django_db
HEADER = ["No. Faktur", "Tanggal", "Kode Toko", "Kode Barang", "Qty", "Harga Satuan", "Diskon",
          "HPP", "No HP", "Email", "Pembayaran", "Status", "Sales"]  # fmt: skip
ROWS = [
    ["INV-001", "17/08/2025 14:30", "JKT01", "RC-01", "1", "Rp 459.000", "0", "300.000",
     "0812-1111-2222", "", "QRIS", "Selesai", "rep"],
    ["INV-001", "17/08/2025 14:30", "JKT01", "CK-01", "2", "749.000", "10.000", "",
     "0812-1111-2222", "", "QRIS", "Selesai", "rep"],
    ["INV-002", "18-08-2025", "JKT01", "RC-01", "1", "459.000,50", "", "", "", "budi@example.test",
     "Tunai", "Lunas", ""],
    ["INV-003", "19 Agustus 2025", "BDG09", "RC-01", "1", "459.000", "", "", "", "", "", "", ""],
    ["INV-004", "19/08/2025", "JKT01", "NOPE-1", "1", "459.000", "", "", "", "", "", "Batal", ""],
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.fixture
def shop(personas):
    f.store(code="JKT01", name="Jakarta", channel="store")
    f.product(sku="RC-01", name="Rice cooker", unit_price=Decimal(459000))
    f.product(sku="CK-01", name="Panci", unit_price=Decimal(749000))
    siti = person(personas.admin, phones=["0812-1111-2222"])
    budi = person(personas.admin, first="Budi", last="Santoso", emails=["budi@example.test"])
    return personas, siti, budi


def _upload_and_run(client, data: bytes, capture) -> ImportJob:
    upload = SimpleUploadedFile("penjualan-agustus.csv", data, content_type="text/csv")
    r = client.post("/integrations/imports/new/", {"target": "orders", "file": upload})
    assert r.status_code == 302, r.content[:2000]
    job = ImportJob.objects.latest("pk")
    assert job.target == "orders" and job.delimiter == ";"
    # Every Indonesian header was recognised.
    assert {job.headers[int(i)]: key for i, key in job.mapping.items()} == {
        "No. Faktur": "external_id", "Tanggal": "ordered_at", "Kode Toko": "store",
        "Kode Barang": "sku", "Qty": "quantity", "Harga Satuan": "unit_price",
        "Diskon": "discount", "HPP": "unit_cost", "No HP": "customer_phone",
        "Email": "customer_email", "Pembayaran": "payment_method", "Status": "status",
        "Sales": "owner"}  # fmt: skip
    mapping = {f"col_{i}": key for i, key in job.mapping.items()}
    before = (Order.objects.count(), OrderLine.objects.count())
    with capture(execute=True):
        r = client.post(job.get_absolute_url(), {**mapping, "policy": "update", "step": "dry_run"})
    assert r.status_code == 302, r.content[:2000]
    job.refresh_from_db()
    assert (Order.objects.count(), OrderLine.objects.count()) == before  # a dry run writes nothing
    assert job.status == "checked"
    job.dry_run_check = job.dry_run_result  # type: ignore[attr-defined]
    with capture(execute=True):
        r = client.post(job.get_absolute_url(), {**mapping, "policy": "update", "step": "run"})
    assert r.status_code == 302
    job.refresh_from_db()
    job.dry_run_check = job.dry_run_result  # type: ignore[attr-defined]
    return job


def test_orders_import_end_to_end(shop, as_user, django_capture_on_commit_callbacks):
    personas, siti, budi = shop
    client = as_user(personas.admin)
    job = _upload_and_run(client, _csv([HEADER, *ROWS]), django_capture_on_commit_callbacks)
    r = job.dry_run_result
    assert (r["total"], r["created"], r["rejected"]) == (5, 2, 2)
    assert (job.status, job.total, job.created, job.updated, job.rejected) == ("done", 5, 2, 0, 2)
    reasons = dict(job.row_errors.values_list("line", "reason"))
    assert "BDG09" in reasons[5] and "NOPE-1" in reasons[6]
    o1 = Order.objects.get(source="import", external_id="INV-001")
    jakarta = ZoneInfo("Asia/Jakarta")
    assert o1.ordered_at == dt.datetime(2025, 8, 17, 14, 30, tzinfo=jakarta)
    assert o1.order_date == dt.date(2025, 8, 17) and o1.customer_id == siti.pk
    assert (o1.owner_id, o1.team_id, o1.status) == (
        personas.rep.pk,
        personas.rep.team_id,
        "completed",
    )
    # 459,000 + 2 × 749,000 − 10,000; the cost is unknown for one line, so the order's too
    assert (o1.subtotal, o1.discount_total, o1.total, o1.cost_total) == (
        1957000,
        10000,
        1947000,
        None,
    )
    assert list(o1.lines.values_list("line_no", "sku", "quantity", "line_total")) == [
        (1, "RC-01", 1, 459000), (2, "CK-01", 2, 1488000)]  # fmt: skip
    assert list(Payment.objects.filter(order=o1).values_list("method", "amount")) == [
        ("qris", 1947000)
    ]
    assert o1.paid_total == 1947000
    o2 = Order.objects.get(external_id="INV-002")
    assert (o2.customer_id, o2.total, o2.status, o2.owner_id) == (
        budi.pk,
        Decimal("459000.50"),
        "paid",
        personas.admin.pk,
    )
    # The error file downloads with the reasons.
    errors = client.get(f"/integrations/imports/{job.pk}/errors.csv")
    text = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert "BDG09" in text and "NOPE-1" in text
    # The finished import queued a mart refresh (run at once by the immediate test backend).
    assert MartRefresh.objects.filter(trigger="import", status="succeeded").count() == 1
    assert mart.query("SELECT count(*), sum(net_amount) FROM fact_order") == [(2, 2406000.5)]

    # Re-importing the same file (a corrected POS export of the same invoices) never duplicates.
    again = _upload_and_run(client, _csv([HEADER, *ROWS]), django_capture_on_commit_callbacks)
    assert (again.dry_run_check["created"], again.dry_run_check["updated"]) == (0, 2)
    assert (again.created, again.updated, again.rejected) == (0, 2, 2)
    assert Order.objects.count() == 2 and OrderLine.objects.count() == 3
    assert Payment.objects.count() == 2
    o1.refresh_from_db()
    assert o1.total == 1947000
    corrected = [list(ROWS[0]), list(ROWS[1])]
    corrected[1][4] = "3"  # three pans, not two
    fixed = _upload_and_run(client, _csv([HEADER, *corrected]), django_capture_on_commit_callbacks)
    assert (fixed.created, fixed.updated) == (0, 1)
    o1.refresh_from_db()
    assert o1.total == 459000 + 3 * 749000 - 10000 and o1.lines.count() == 2

    # Undo the first import: the orders it created are deleted (with tombstones for the mart);
    # undoing the later imports, which only updated orders, deletes nothing.
    r = client.post(f"/integrations/imports/{fixed.pk}/undo/")
    assert r.status_code == 302 and Order.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/integrations/imports/{job.pk}/undo/")
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == "undone" and Order.objects.count() == 0
    assert set(DeletedOrder.objects.values_list("order_id", flat=True)) == {o1.pk, o2.pk}
    assert MartRefresh.objects.filter(trigger="import undo").exists()
    assert mart.query("SELECT count(*) FROM fact_order") == [(0,)]


def test_orders_import_needs_commerce_import_permission(shop, as_user):
    personas, _s, _b = shop
    upload = SimpleUploadedFile("x.csv", _csv([HEADER, *ROWS]), content_type="text/csv")
    r = as_user(personas.rep).post(
        "/integrations/imports/new/", {"target": "orders", "file": upload}
    )
    assert r.status_code in (400, 403) and not ImportJob.objects.exists()


def test_mapping_must_name_invoice_and_product(shop, as_user, django_capture_on_commit_callbacks):
    personas, _s, _b = shop
    client = as_user(personas.admin)
    upload = SimpleUploadedFile("x.csv", _csv([HEADER, *ROWS]), content_type="text/csv")
    client.post("/integrations/imports/new/", {"target": "orders", "file": upload})
    job = ImportJob.objects.latest("pk")
    without_sku = {f"col_{i}": k for i, k in job.mapping.items() if k != "sku"}
    r = client.post(job.get_absolute_url(), {**without_sku, "step": "run"})
    assert r.status_code == 400 and b"Product code" in r.content
    assert not Order.objects.exists()
