"""The PT XYZ demo programme is consistent with the demo's orders."""

import pytest

from relasi.accounts import demo as accounts_demo
from relasi.commerce import demo as commerce_demo
from relasi.customers import demo as customers_demo
from relasi.loyalty import demo, ledger
from relasi.loyalty.models import LedgerEntry, Member

pytestmark = pytest.mark.django_db


def test_small_demo_programme_matches_orders():
    ctx = {"small": True}
    accounts_demo.seed(ctx)
    customers_demo.seed(ctx)
    commerce_demo.seed(ctx)
    demo.seed(ctx)
    assert Member.objects.count() > 5
    assert ledger.verify() == []
    earns = LedgerEntry.objects.filter(kind="earn").select_related("order", "member")
    assert earns.exists()
    assert all(e.order.customer_id == e.member.customer_id for e in earns)
    assert LedgerEntry.objects.filter(kind="redeem").exists()
