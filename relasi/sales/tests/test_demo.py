"""The demo seeder (small set) gives the board, forecast and performance pages data."""

import pytest

from relasi.sales.models import (
    Deal,
    DealStageChange,
    ForecastSnapshot,
    Lead,
    Pipeline,
    Product,
    Quota,
    Quote,
)

pytestmark = pytest.mark.django_db


def test_small_demo(as_user):
    from relasi.accounts import demo as accounts_demo
    from relasi.customers.tests.factories import organization, person
    from relasi.sales import demo

    ctx: dict = {"small": True}
    accounts_demo.seed(ctx)
    rina = ctx["users"]["sales.rina"]
    ctx["customers"] = [person(rina, f"Orang{i}", "Demo") for i in range(8)] + [
        organization(rina, f"PT Demo {i}") for i in range(4)
    ]
    demo.seed(ctx)
    assert Pipeline.objects.count() == 2 and Product.objects.count() >= 20
    assert Lead.objects.count() == 40 and Lead.objects.filter(score__gt=0).exists()
    assert Deal.objects.count() == 40 and DealStageChange.objects.count() >= 40
    assert Deal.objects.filter(status="won").exists() and Quote.objects.exists()
    assert Quota.objects.exists() and ForecastSnapshot.objects.exists()
    manager = ctx["users"]["manajer.jkt"]
    client = as_user(manager)
    for url in [
        "/sales/board/",
        "/sales/forecast/",
        "/sales/performance/",
        "/sales/leads/mine/",
        "/sales/quotes/",
    ]:
        assert client.get(url, follow=True).status_code == 200, url
