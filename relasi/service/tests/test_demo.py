"""The PT XYZ demo: the service seeder runs after the accounts and customers seeders (small
mode) and gives the dashboard real figures."""

import datetime as dt

import pytest
from django.utils import timezone

from relasi.accounts import demo as accounts_demo
from relasi.customers import demo as customers_demo
from relasi.service import demo, kpis, search
from relasi.service.models import Article, Survey, Ticket

pytestmark = pytest.mark.django_db


def test_small_demo_has_realistic_service_data():
    ctx = {"small": True}
    accounts_demo.seed(ctx)
    customers_demo.seed(ctx)
    demo.seed(ctx)
    tickets = Ticket.objects.all()
    assert tickets.count() == 60
    assert tickets.filter(number__startswith="TKT-").count() == 60
    assert {t.ticket_type.key for t in tickets.select_related("ticket_type")} >= {
        "complaint",
        "question",
        "warranty",
    }
    assert tickets.filter(status__in=["resolved", "closed"]).count() > 30
    assert tickets.filter(first_response_breached=True).exists()
    assert (
        tickets.filter(ticket_type__is_complaint=True, resolved_at__isnull=False)
        .exclude(root_cause="")
        .exists()
    )
    assert Article.objects.filter(translations__language="en").exists()
    assert Survey.objects.filter(kind="nps", responded_at__isnull=False).exists()
    today = timezone.localdate()
    k = kpis.service_kpis(today - dt.timedelta(days=364), today)
    assert 50 < k["sla"]["percent"] < 100 and k["csat"]["total"] > 5 and k["nps"]["total"] > 5
    assert search.filter_tickets(Ticket.objects.all(), tickets.first().number).count() == 1
    assert search.search_articles("garansi", public_only=True)
