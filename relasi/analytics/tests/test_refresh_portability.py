"""What differs between SQLite and PostgreSQL under the mart refresh: chunked (server-side)
cursors over several chunks, aware timestamps and the local order date around midnight,
Decimal amounts with cents, and watermarks that survive a second incremental run. The suite
runs these on both databases (DATABASE_URL selects PostgreSQL)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from relasi.analytics import mart, refresh_base
from relasi.commerce import actions
from relasi.commerce.models import Order
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")


def _order(customer, at: dt.datetime, price: str, qty: str = "1") -> Order:
    o, _outcome = actions.ingest_order(
        None,
        {"source": "pos", "external_id": f"P-{at.isoformat()}-{price}", "customer_id": customer.pk,
         "ordered_at": at, "lines": [{"sku": "RC-01", "quantity": qty, "unit_price": price,
                                      "unit_cost": "1000.10"}]},
    )  # fmt: skip
    return o


def test_chunked_staging_times_and_cents(monkeypatch):
    monkeypatch.setattr(refresh_base, "CHUNK", 3)  # many chunks through the (server-side) cursor
    f.product(sku="RC-01")
    c = f.customer()
    late = dt.datetime(2025, 3, 5, 23, 30, tzinfo=JAKARTA)  # 16:30 UTC, local date the 5th
    early = dt.datetime(2025, 3, 6, 0, 30, tzinfo=JAKARTA)  # 17:30 UTC on the 5th, local 6th
    a = _order(c, late, "12345.67")
    b = _order(c, early, "0.01", qty="3")
    more = [_order(c, late + dt.timedelta(days=i), "1000.50") for i in range(1, 8)]
    # Changed hours ago: before the watermark (a's time) minus the 5-minute overlap.
    Order.objects.update(updated_at=timezone.now() - dt.timedelta(hours=3))
    Order.objects.filter(pk=a.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    log = mart.refresh()
    assert log.status == "succeeded" and log.totals["fact_order"] == 9
    rows = {
        r[0]: r[1:]
        for r in mart.query("SELECT order_id, order_date, ordered_at, net_amount FROM fact_order")
    }
    assert rows[a.pk] == (dt.date(2025, 3, 5), dt.datetime(2025, 3, 5, 16, 30), 12345.67)
    assert rows[b.pk] == (dt.date(2025, 3, 6), dt.datetime(2025, 3, 5, 17, 30), 0.03)
    assert mart.query("SELECT date_key FROM fact_order_line WHERE order_id = ?", [b.pk]) == [
        (20250306,)
    ]
    # Money: the mart's sums equal the Decimal totals to the cent.
    total = sum((o.total for o in Order.objects.all()), Decimal(0))
    assert round(mart.query("SELECT sum(net_amount) FROM fact_order")[0][0], 2) == float(total)
    assert mart.query(
        "SELECT round(margin, 2) FROM fact_order_line WHERE order_id = ?", [a.pk]
    ) == [(11345.57,)]
    agg = mart.query("SELECT orders, revenue, last_order_date FROM agg_customer")
    assert agg == [(9, pytest.approx(float(total)), more[-1].order_date)]
    # Incremental: a change after the watermark is picked up, the rest is not re-read.
    actions.add_payment(None, a, "qris", "12345.67")
    log2 = mart.refresh()
    assert not log2.full and log2.rows["fact_order"] == 1
    assert mart.query("SELECT paid_amount FROM fact_order WHERE order_id = ?", [a.pk]) == [
        (12345.67,)
    ]
    # Nothing changed: only the overlap window is re-read, the watermark stays.
    log3 = mart.refresh()
    assert log3.rows["fact_order"] == 1 and log3.watermarks["orders"] == log2.watermarks["orders"]


def test_watermark_is_utc(settings):
    """A watermark written as naive UTC reads back as the same instant."""
    f.product(sku="RC-01")
    o = _order(f.customer(), dt.datetime(2025, 1, 1, 8, 0, tzinfo=JAKARTA), "100")
    log = mart.refresh()
    mark = dt.datetime.fromisoformat(log.watermarks["orders"]).replace(tzinfo=dt.UTC)
    o.refresh_from_db()
    assert mark == o.updated_at


def test_overlap_counts_from_the_previous_read_not_the_newest_row():
    """Rows stamped long ago are not re-read on every refresh just because they share the
    newest timestamp (a bulk import); a row stamped before the previous read but committed
    after it is still picked up."""
    from relasi.customers.models import Customer

    f.product(sku="RC-01")
    people = [f.customer() for _ in range(5)]
    for i, c in enumerate(people):
        _order(c, dt.datetime(2025, 1, 1, 8, 0, tzinfo=JAKARTA), str(100 + i))
    long_ago = timezone.now() - dt.timedelta(hours=2)
    Customer.objects.update(updated_at=long_ago)
    Order.objects.update(updated_at=long_ago)
    first = mart.refresh()
    assert first.rows["dim_customer"] == 5 and first.watermarks["customers_read_at"]
    second = mart.refresh()
    assert (second.rows["dim_customer"], second.rows["fact_order"]) == (0, 0)
    # Stamped just before the previous read started, committed after it: still read.
    read = dt.datetime.fromisoformat(second.watermarks["orders_read_at"]).replace(tzinfo=dt.UTC)
    late = _order(people[0], dt.datetime(2025, 2, 1, 8, 0, tzinfo=JAKARTA), "700")
    Order.objects.filter(pk=late.pk).update(updated_at=read - dt.timedelta(minutes=1))
    third = mart.refresh()
    assert third.rows["fact_order"] == 1
    assert mart.query("SELECT count(*) FROM fact_order") == [(6,)]


def test_order_changed_between_the_order_and_line_reads(monkeypatch):
    """An order that changes after its order row was read but before its lines are read
    must not break the refresh (its lines' ids are already in the mart) nor leave stale
    duplicates; the next refresh brings the change."""
    from relasi.analytics import refresh_orders

    f.product(sku="RC-01")
    c = f.customer()
    o = _order(c, dt.datetime(2025, 1, 1, 8, 0, tzinfo=JAKARTA), "100", qty="2")
    Order.objects.update(updated_at=timezone.now() - dt.timedelta(hours=2))
    mart.refresh()
    real_stage = refresh_orders.stage

    def stage(run, name, *args, **kw):
        n = real_stage(run, name, *args, **kw)
        if name == "stg_order":  # another process pays the order now
            actions.add_payment(None, o, "cash", "200")
        return n

    monkeypatch.setattr(refresh_orders, "stage", stage)
    log = mart.refresh()
    monkeypatch.undo()
    assert log.status == "succeeded"
    assert mart.query("SELECT count(*) FROM fact_order_line") == [(1,)]
    mart.refresh()
    assert mart.query("SELECT paid_amount FROM fact_order") == [(200.0,)]
    assert mart.query("SELECT count(*), sum(quantity) FROM fact_order_line") == [(1, 2.0)]
