"""A recorded lifecycle stage that the orders contradict is flagged (the defect: a "Former /
lapsed" customer who bought last month was an RFM Champion with no word on the page)."""

import datetime as dt

import pytest
from django.utils import timezone

from relasi.analytics import lifecycle, mart
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date(2026, 6, 30)


def test_the_rules():
    assert lifecycle.derive(None, None, D) is None  # never bought: a salesperson's call
    assert lifecycle.derive(1, D - dt.timedelta(days=30), D) == "customer"
    assert lifecycle.derive(5, D - dt.timedelta(days=30), D) == "repeat"
    assert lifecycle.derive(5, D - dt.timedelta(days=181), D) == "former"
    assert lifecycle.contradicts("former", "repeat")
    assert lifecycle.contradicts("repeat", "former")
    assert not lifecycle.contradicts("advocate", "repeat")
    assert not lifecycle.contradicts("prospect", None)


def test_a_lapsed_customer_who_bought_last_month_is_flagged(personas, as_user):
    today = timezone.localdate()
    product = f.product(name="P")
    lapsed = f.customer(name="Lapsed", owner=personas.rep, team=personas.rep.team,
                        lifecycle_stage="former")  # fmt: skip
    steady = f.customer(name="Steady", owner=personas.rep, team=personas.rep.team,
                        lifecycle_stage="repeat")  # fmt: skip
    for c in (lapsed, steady):
        for days in (30, 60, 90):
            f.order(customer_id=c.pk, day=today - dt.timedelta(days=days),
                    owner_id=personas.rep.pk, lines=[(product, 1, 90_000, 50_000)])  # fmt: skip
    assert mart.refresh(trigger="test").status == "succeeded"
    client = as_user(personas.admin)
    html = client.get(lapsed.get_absolute_url()).content.decode()
    assert 'id="lifecycle-contradiction"' in html and "Repeat customer" in html
    assert (
        'id="lifecycle-contradiction"' not in client.get(steady.get_absolute_url()).content.decode()
    )
    api = client.get(f"/api/v1/analytics/insights/customers/{lapsed.pk}").json()
    assert api["lifecycle"]["recorded"] == "former" and api["lifecycle"]["derived"] == "repeat"
    assert api["lifecycle"]["contradiction"] is True
    rfm = client.get("/analytics/customers/rfm/")
    assert rfm.context["contradictions"] == 1
