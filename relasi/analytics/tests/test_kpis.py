"""Every KPI formula against numbers computed by hand on a small fixture (see the comments)."""

import datetime as dt
from decimal import Decimal

import pytest

from relasi.analytics import kpis, mart
from relasi.analytics.models import CostEntry
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
MARCH = kpis.Filters(start=D(2025, 3, 1), end=D(2025, 4, 1), inactive_days=30)


@pytest.fixture
def shop(personas):
    p1 = f.product(category="Dapur")
    p2 = f.product(category="Elektronik")
    c = {k: f.customer(name=k) for k in "ABCDEF"}
    rep, other = personas.rep, personas.other_rep

    def buy(who, day, price, product=p1, status="completed", owner=rep):
        return f.order(customer_id=c[who].pk if who else None, day=day, status=status,
                       owner_id=owner.pk, lines=[(product, 1, price)])  # fmt: skip

    buy("A", D(2025, 2, 10), 100)
    buy("A", D(2025, 3, 5), 200)
    buy("A", D(2025, 3, 20), 300, p2)  # a new category for a returning customer
    buy("B", D(2025, 2, 15), 50)  # active at start, lost
    buy("C", D(2025, 3, 10), 400, owner=other)  # new customer
    buy("D", D(2024, 12, 1), 80)  # inactive at start ...
    buy("D", D(2025, 3, 25), 120)  # ... reactivated
    buy("E", D(2025, 2, 20), 60)  # active at start, lost (its March order is cancelled)
    buy("E", D(2025, 3, 30), 999, status="cancelled")
    buy("F", D(2025, 2, 25), 10)
    buy("F", D(2025, 3, 31), 10, p2)  # new category
    buy(None, D(2025, 3, 15), 70)  # anonymous walk-in
    CostEntry.objects.create(
        kind="marketing",
        period_start=D(2025, 3, 1),
        period_end=D(2025, 3, 31),
        amount=Decimal(3100),
    )
    CostEntry.objects.create(
        kind="sales", period_start=D(2025, 2, 15), period_end=D(2025, 3, 16), amount=Decimal(300)
    )
    mart.refresh()
    return personas


def test_order_kpis(shop):
    # March sales: A 200 + 300, C 400, D 120, walk-in 70, F 10 = 1,100 over 6 orders.
    assert kpis.value("revenue", MARCH) == 1100
    assert kpis.value("orders", MARCH) == 6
    assert kpis.value("aov", MARCH) == pytest.approx(1100 / 6, abs=0.001)
    # identified: 5 orders, 1,030 revenue, customers A, C, D, F
    assert kpis.value("customers", MARCH) == 4
    assert kpis.value("purchase_frequency", MARCH) == 1.25
    assert kpis.value("revenue_per_customer", MARCH) == 257.5
    # only A bought twice: 1 / 4
    assert kpis.value("repeat_purchase_rate", MARCH) == 25.0
    # previous 31 days (29 Jan – 28 Feb): 100 + 50 + 60 + 10 = 220 -> (1100 - 220) / 220
    assert kpis.value("sales_growth", MARCH) == 400.0


def test_customer_flow_kpis(shop):
    flow = kpis.customer_flow(MARCH)
    # active at start (bought 30 Jan – 28 Feb): A, B, E, F; at end (2 – 31 Mar): A, C, D, F
    # retained: A, F; reactivated: D (inactive at start, not new)
    assert flow == {"start": 4, "end": 4, "new": 1, "new_active_end": 1, "lost": 2,
                    "retained": 2, "reactivated": 1}  # fmt: skip
    # One population for both: retention + churn = 100. The old (end − new) / start counted the
    # reactivated D as retained and showed 75 % retention beside 50 % churn.
    assert kpis.value("retention_rate", MARCH) == 50.0  # A and F retained / 4
    assert kpis.value("churn_rate", MARCH) == 50.0  # B and E lost / 4
    parts = kpis.compute("cac", MARCH)["parts"]
    # 3,100 (all of March) + 300 × 16/30 days (15 Feb – 16 Mar entry) = 3,260 for 1 new customer
    assert parts["cost"] == 3260.0
    assert kpis.value("cac", MARCH) == 3260.0
    # returning-customer orders in March: A 5/3, A 20/3, D 25/3, F 31/3; new category: A 20/3, F 31/3
    assert kpis.cross_sell(MARCH) == {"returning_orders": 4, "new_category_orders": 2}
    assert kpis.value("cross_sell_rate", MARCH) == 50.0


def test_filters_and_visibility(shop):
    mine = kpis.Filters(**{**MARCH.__dict__, "scope": kpis.scope_for(shop.rep)})
    assert kpis.value("revenue", mine) == 700  # C's order belongs to the other rep
    theirs = kpis.Filters(**{**MARCH.__dict__, "scope": kpis.scope_for(shop.other_rep)})
    assert kpis.value("revenue", theirs) == 400
    assert kpis.scope_for(shop.admin) is None
    store = kpis.Filters(**{**MARCH.__dict__, "channel": "web"})
    assert kpis.value("revenue", store) == 0


def test_every_kpi_has_formula_and_computes(shop):
    for key, kpi in kpis.KPIS.items():
        assert str(kpi.formula) and str(kpi.label)
        kpis.compute(key, MARCH)  # never raises (service KPIs may be None)


def test_new_and_returning_chart(shop):
    from relasi.analytics import dashboards

    chart = dashboards.chart("new_returning", kpis.Filters(start=D(2025, 2, 1), end=D(2025, 4, 1)))
    # February buyers A, B, E, F: all new (first purchases); March buyers A, C, D, F: C is new
    assert chart["labels"] == ["2025-02", "2025-03"]
    new, returning = (d["data"] for d in chart["datasets"])
    assert (new, returning) == ([4, 1], [0, 3])
    mine = kpis.Filters(
        start=D(2025, 2, 1), end=D(2025, 4, 1), scope=kpis.scope_for(shop.other_rep)
    )
    assert dashboards.chart("new_returning", mine)["datasets"][0]["data"] == [1]  # only C's order


def test_shared_building_blocks_are_computed_once(shop):
    from unittest import mock

    with mock.patch.object(kpis, "_totals", wraps=kpis._totals) as spy:
        for key in ("revenue", "orders", "aov", "customers", "purchase_frequency"):
            kpis.value(key, MARCH)
    assert spy.call_count == 1


def test_retention_and_churn_add_up_to_100_every_month(shop):
    for lo, hi in kpis.buckets(D(2025, 1, 1), D(2025, 5, 1), "month"):
        f = kpis.Filters(start=lo, end=hi, inactive_days=30)
        ret, churn = kpis.value("retention_rate", f), kpis.value("churn_rate", f)
        if ret is not None:
            assert ret + churn == pytest.approx(100.0), lo


def test_service_kpis_match_the_service_dashboard_for_the_same_user(shop):
    """Two dashboards showed NPS 23.7 and 42.9 for the same period: the analytics card ignored
    the viewer's record visibility, the service dashboard applied it. Both now call
    service_kpis with the same user."""
    from relasi.customers.models import Customer
    from relasi.service.kpis import service_kpis
    from relasi.service.models import Survey

    mine = Customer.objects.get(name="A")
    mine.owner = shop.rep
    mine.save()
    other = Customer.objects.get(name="C")
    other.owner = shop.other_rep
    other.save()
    at = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    for i, (customer, score) in enumerate([(mine, 10), (mine, 9), (other, 2), (other, 3)]):
        Survey.objects.create(kind="nps", customer=customer, nps=score, responded_at=at,
                              token_hash=f"t{i}", expires_at=at + dt.timedelta(days=30))  # fmt: skip
    for user in (shop.rep, shop.admin):
        # what the service dashboard shows this user for 1–31 March (its view's call)
        service_nps = service_kpis(D(2025, 3, 1), D(2025, 3, 31), user=user)["nps"]["score"]
        f = kpis.Filters(start=D(2025, 3, 1), end=D(2025, 4, 1), scope=kpis.scope_for(user),
                         viewer=user.pk)  # fmt: skip
        assert kpis.value("nps", f) == service_nps, user
    rep_f = kpis.Filters(start=D(2025, 3, 1), end=D(2025, 4, 1), scope=kpis.scope_for(shop.rep),
                         viewer=shop.rep.pk)  # fmt: skip
    assert kpis.value("nps", rep_f) == 100.0  # the rep sees only A's two promoters
