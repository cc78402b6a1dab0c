"""Issue #19: money and quantities that do not fit their columns are refused with a clear 422
and leave nothing behind; the order list keeps working."""

import pytest

from relasi.accounts import actions as account_actions
from relasi.commerce import actions
from relasi.commerce.models import Order, OrderLine, Payment
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(personas):
    from django.test import Client

    f.store(code="JKT01", name="Jakarta")
    f.product(sku="RC-01", name="Rice cooker")
    _t, raw = account_actions.issue_token(personas.admin, "test", {"commerce": "write"})
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _order(ext="F-1", **line):
    return {"source": "pos", "external_id": ext, "store": "JKT01",
            "lines": [{"sku": "RC-01", "quantity": 1, "unit_price": 150000, **line}]}  # fmt: skip


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_payment_beyond_the_money_column_is_422_and_the_list_still_works(client):
    order = _post(client, "/api/v1/commerce/orders", _order()).json()["order"]
    url = f"/api/v1/commerce/orders/{order['id']}/payments"
    r = _post(client, url, {"method": "cash", "amount": "9999999999999999.99"})
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert "amount" in str(r.json()["error"]["details"])
    assert not Payment.objects.exists()
    assert _post(client, url, {"amount": "1.999"}).status_code == 422  # more places than stored
    assert _post(client, url, {"amount": "NaN"}).status_code == 422
    assert client.get("/api/v1/commerce/orders").status_code == 200
    assert client.get(f"/api/v1/commerce/orders/{order['id']}").status_code == 200


def test_payments_whose_sum_overflows_are_refused(client):
    order = Order.objects.get(
        pk=_post(client, "/api/v1/commerce/orders", _order()).json()["order"]["id"]
    )
    largest = actions.MONEY_LIMIT.largest
    actions.add_payment(None, order, "cash", largest)
    with pytest.raises(actions.ValidationError) as exc:
        actions.add_payment(None, order, "cash", "1")
    assert "amount" in exc.value.message_dict
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert order.paid_total == largest


@pytest.mark.parametrize(
    "line",
    [
        {"unit_price": 1e17},
        {"unit_price": "100000000000000000"},
        {"quantity": "1000000000000"},
        {"quantity": 999_999_999, "unit_price": 999_999_999},  # each fits, the product does not
        {"unit_cost": "1e20"},
        {"discount": -1},
    ],
)
def test_an_order_that_does_not_fit_is_refused_and_not_saved(client, line):
    r = _post(client, "/api/v1/commerce/orders", _order(**line))
    assert r.status_code == 422, r.content
    assert r.json()["error"]["details"]
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert client.get("/api/v1/commerce/orders").status_code == 200


def test_batch_reports_the_order_that_does_not_fit(client):
    orders = [_order("B-1"), _order("B-2", quantity=500, unit_price="9999999999999")]
    r = _post(client, "/api/v1/commerce/orders/batch", {"orders": orders})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["created"] == 1 and body["errors"] == 1
    assert "lines.1" in body["results"][1]["errors"]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["B-1"]


def test_the_sum_of_many_lines_must_fit_the_order_total():
    f.store(code="S1")
    product = f.product(sku="X")
    big = str(actions.MONEY_LIMIT.largest // 2 + 1)
    with pytest.raises(actions.ValidationError) as exc:
        f.order(None, lines=[(product, 1, big), (product, 1, big)])
    assert "lines" in exc.value.message_dict
    assert not Order.objects.exists()


def test_the_limit_is_in_the_openapi_document(client):
    from relasi.api import api

    schema = api.get_openapi_schema()["components"]["schemas"]
    amount = schema["PaymentIn"]["properties"]["amount"]
    assert "9999999999999.99" in str(amount)
