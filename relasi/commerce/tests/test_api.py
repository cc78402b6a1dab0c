import pytest

from relasi.accounts import actions as account_actions
from relasi.commerce.models import Order, OrderLine
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    from django.test import Client

    def make(user, scopes=None):
        _t, raw = account_actions.issue_token(user, "test", scopes or {"commerce": "write"})
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


def _order(ext, sku, qty=1, **kw):
    return {"source": "pos", "external_id": ext, "store": "JKT01",
            "lines": [{"sku": sku, "quantity": qty, "unit_price": 150000}], **kw}  # fmt: skip


@pytest.fixture
def catalogue():
    f.store(code="JKT01", name="Jakarta")
    return f.product(sku="RC-01", name="Rice cooker")


def test_single_order_is_idempotent(personas, api, catalogue):
    client = api(personas.admin)
    r = client.post(
        "/api/v1/commerce/orders", _order("F-1", "RC-01"), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "created" and body["order"]["total"] == "150000.00"
    again = client.post(
        "/api/v1/commerce/orders", _order("F-1", "RC-01"), content_type="application/json"
    )
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    changed = client.post(
        "/api/v1/commerce/orders", _order("F-1", "RC-01", qty=2), content_type="application/json"
    )
    assert changed.json()["status"] == "updated" and changed.json()["order"]["total"] == "300000.00"
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 1
    got = client.get(f"/api/v1/commerce/orders/{body['order']['id']}")
    assert got.status_code == 200 and got.json()["lines"][0]["sku"] == "RC-01"


def test_batch_reports_errors_per_order_and_is_idempotent(
    personas, api, catalogue, django_assert_max_num_queries
):
    client = api(personas.admin)
    orders = [_order(f"B-{i}", "RC-01") for i in range(50)] + [_order("B-bad", "NOPE")]
    r = client.post(
        "/api/v1/commerce/orders/batch", {"orders": orders}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["created"], body["errors"]) == (50, 1)
    bad = body["results"][-1]
    assert bad["status"] == "error" and "lines.1" in bad["errors"]
    r2 = client.post(
        "/api/v1/commerce/orders/batch", {"orders": orders}, content_type="application/json"
    )
    assert r2.json()["unchanged"] == 50 and Order.objects.count() == 50
    too_many = [_order(f"X-{i}", "RC-01") for i in range(1001)]
    r3 = client.post(
        "/api/v1/commerce/orders/batch", {"orders": too_many}, content_type="application/json"
    )
    assert r3.status_code == 422


def test_permissions_and_visibility(personas, api, catalogue):
    admin = api(personas.admin)
    r = admin.post("/api/v1/commerce/orders", _order("V-1", "RC-01", owner_id=personas.other_rep.pk),
                   content_type="application/json")  # fmt: skip
    oid = r.json()["order"]["id"]
    rep = api(personas.rep, {"commerce": "read"})
    assert rep.get(f"/api/v1/commerce/orders/{oid}").status_code == 404  # another rep's order
    assert rep.get("/api/v1/commerce/orders").json()["items"] == []
    # Sales reps have read-only commerce: creating is refused
    assert (
        rep.post(
            "/api/v1/commerce/orders", _order("V-2", "RC-01"), content_type="application/json"
        ).status_code
        == 403
    )
    other = api(personas.other_rep, {"commerce": "read"})
    assert other.get(f"/api/v1/commerce/orders/{oid}").status_code == 200
    assert (
        api(personas.admin, {"customers": "read"}).get("/api/v1/commerce/orders").status_code == 403
    )
    assert admin.get("/api/v1/commerce/stores").json()[0]["code"] == "JKT01"


def test_payments_returns_and_delete(personas, api, catalogue):
    client = api(personas.admin)
    oid = client.post("/api/v1/commerce/orders", _order("P-1", "RC-01", qty=2),
                      content_type="application/json").json()["order"]["id"]  # fmt: skip
    assert client.post(f"/api/v1/commerce/orders/{oid}/payments", {"method": "qris", "amount": 300000},
                       content_type="application/json").status_code == 201  # fmt: skip
    line = OrderLine.objects.get(order_id=oid)
    r = client.post(f"/api/v1/commerce/orders/{oid}/returns", {"reason": "defective", "lines": [[line.pk, 1]]},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["amount"] == "150000.00"
    o = Order.objects.get(pk=oid)
    assert (o.paid_total, o.returned_total) == (300000, 150000)
    assert client.delete(f"/api/v1/commerce/orders/{oid}").status_code == 204
    from relasi.commerce.models import DeletedOrder

    assert DeletedOrder.objects.filter(order_id=oid).exists()
