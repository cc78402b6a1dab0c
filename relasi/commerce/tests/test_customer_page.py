"""Orders on the customer's 360° page: the timeline entry, and the header figures (lifetime
revenue, orders, last purchase) read from the mart after a refresh, and from the orders
themselves while the mart is behind (never a stale number)."""

import datetime as dt
from decimal import Decimal

import pytest

from relasi.analytics import mart
from relasi.commerce import actions, figures
from relasi.commerce.tests import factories as f
from relasi.core.formatting import money
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(personas):
    p = f.product(sku="RC-01", name="Rice cooker", category="Dapur")
    store = f.store(code="JKT01", name="XYZ Jakarta")
    siti = person(personas.rep)
    first = f.order(customer_id=siti.pk, store_id=store.pk, owner_id=personas.rep.pk,
                    lines=[(p, 2, 150000)], day=dt.date(2025, 3, 1))  # fmt: skip
    last = f.order(customer_id=siti.pk, owner_id=personas.rep.pk, channel="web",
                   lines=[(p, 1, 99500)], day=dt.date(2025, 6, 15))  # fmt: skip
    f.order(customer_id=siti.pk, owner_id=personas.rep.pk, status="cancelled",
            lines=[(p, 1, 1_000_000)], day=dt.date(2025, 7, 1))  # fmt: skip
    f.order(customer_id=person(personas.rep, first="Budi").pk, lines=[(p, 9, 150000)])
    return personas, siti, first, last, p


def _figures(response) -> dict[str, str | None]:
    return {str(label): value for label, value in response.context["value_figures"]}


def test_header_figures_from_the_mart(buyer, as_user):
    personas, siti, _first, _last, _p = buyer
    mart.refresh()
    assert figures.order_figures(siti)["source"] == "mart"
    r = as_user(personas.rep).get(f"/customers/people/{siti.pk}/")
    assert r.status_code == 200
    shown = _figures(r)
    # 2 × 150,000 + 99,500; the cancelled order counts for nothing
    assert shown["Lifetime revenue"] == money(Decimal(399500))
    assert shown["Orders"] == "2"
    assert shown["Last purchase"] == "15 Jun 2025"
    assert money(Decimal(399500)).encode() in r.content


def test_header_figures_never_stale(buyer, as_user):
    personas, siti, _first, _last, p = buyer
    mart.refresh()
    # A new order after the refresh: the mart is behind, so the page reads the orders.
    f.order(customer_id=siti.pk, owner_id=personas.rep.pk, lines=[(p, 1, 500)],
            day=dt.date(2025, 8, 17))  # fmt: skip
    r = as_user(personas.rep).get(f"/customers/people/{siti.pk}/")
    shown = _figures(r)
    assert (shown["Orders"], shown["Last purchase"]) == ("3", "17 Aug 2025")
    assert shown["Lifetime revenue"] == money(Decimal(400000))
    mart.refresh()
    fresh = figures.order_figures(type(siti).objects.get(pk=siti.pk))
    assert (fresh["source"], fresh["orders"], fresh["revenue"]) == ("mart", 3, Decimal(400000))


def test_customer_without_orders_shows_dashes(personas, as_user):
    nobody = person(personas.rep, first="Tanpa", last="Order")
    mart.refresh()
    shown = _figures(as_user(personas.rep).get(f"/customers/people/{nobody.pk}/"))
    assert shown["Lifetime revenue"] is None and shown["Orders"] is None
    assert shown["Last purchase"] is None


def test_orders_on_the_timeline(buyer, as_user):
    personas, siti, first, last, _p = buyer
    actions.add_return(personas.admin, last, "defective", [(last.lines.get().pk, 1)])
    client = as_user(personas.rep)
    page = client.get(f"/customers/people/{siti.pk}/")
    assert page.status_code == 200
    r = client.get(f"/customers/{siti.pk}/timeline/?kind=order")
    html = r.content.decode()
    assert r.status_code == 200 and html.count('data-kind="order"') == 3
    assert f"Order {first.number}: {money(first.total)}" in html
    assert "XYZ Jakarta · Completed" in html  # the store, else the channel
    assert "Web shop · Completed" in html
    assert "returned " + money(Decimal(99500)) in html
    assert f'href="{first.get_absolute_url()}"' in html
    # newest first
    assert html.index(last.number) < html.index(first.number)
    # another customer's orders are not on this page
    assert html.count("Order ") == 3
