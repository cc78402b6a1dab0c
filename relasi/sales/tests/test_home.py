"""Home pages per audience: what each role sees, scoped by the access layer, in a bounded
number of queries, in both languages."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relasi.activities.tests.factories import meeting, task
from relasi.core import dashboard, records
from relasi.core.testing import make_user
from relasi.customers import actions as customer_actions
from relasi.customers.models import Group
from relasi.customers.tests.factories import person
from relasi.sales import periods
from relasi.sales.actions import quotes as quote_actions
from relasi.sales.choices import PeriodKind
from relasi.sales.models import Lead, Quota, WebForm
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipe(personas):
    return f.pipeline()


def quarter_quota(user, amount):
    start = periods.period_start(timezone.localdate(), PeriodKind.QUARTER)
    return Quota.objects.create(
        user=user, period_kind=PeriodKind.QUARTER, period_start=start, amount=Decimal(amount)
    )


def web_lead(actor, form, **data):
    lead = f.lead(actor, source="web_form", **data)
    Lead.objects.filter(pk=lead.pk).update(web_form=form)  # as webforms.submit() links it
    return lead


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_audiences_follow_permissions(personas):
    assert dashboard.audiences(personas.admin) == {"admin"}
    assert dashboard.audiences(personas.manager) == {"manager"}
    assert dashboard.audiences(personas.rep) == {"sales"}
    assert dashboard.audiences(make_user("mk", "marketing")) == {"marketing"}
    assert dashboard.audiences(make_user("agent", "service")) == {"service"}
    assert dashboard.audiences(personas.readonly) == set()


def test_rep_sees_agenda_pipeline_and_quota(personas, pipe, as_user):
    # At noon of today: "later today" exists whatever the hour the suite runs at (it failed
    # after 23:30 Jakarta time).
    with time_machine.travel(timezone.localtime().replace(hour=12, minute=0), tick=False):
        _rep_home(personas, pipe, as_user)


def _rep_home(personas, pipe, as_user):
    customer = person(personas.rep, "Rina", "Wati")
    soon = timezone.localtime().replace(hour=23, minute=30)
    meeting(personas.rep, customer, "Demo blender", due_at=soon)
    task(personas.rep, "Kirim katalog", due_at=soon)
    task(personas.rep, "Telat", due_at=timezone.now() - dt.timedelta(days=2))
    task(personas.teammate, "Not mine", due_at=soon)
    f.deal(personas.rep, pipe, "Proposal", "3000000", name="Open one")
    f.deal(personas.rep, pipe, "Won", "2000000", name="Won one")
    f.deal(personas.teammate, pipe, "Proposal", "9000000", name="Teammate's")
    quarter_quota(personas.rep, "4000000")
    html = home(as_user(personas.rep))
    assert "Demo blender" in html and "Kirim katalog" in html and "Not mine" not in html
    assert "/activities/my-tasks/?state=overdue" in html  # one overdue activity
    assert 'id="home-pipeline"' in html and "Proposal" in html
    assert "3,000,000" in html and "9,000,000" not in html  # only her deals
    assert 'aria-valuenow="50"' in html  # 2,000,000 won of 4,000,000
    assert 'id="home-team-pipeline"' not in html and 'id="home-system"' not in html


def test_manager_sees_team_pipeline_approvals_and_sla_risk(personas, pipe, as_user):
    customer = person(personas.rep, "Rina", "Wati", emails=["rina@example.test"])
    deal = f.deal(personas.rep, pipe, "Negotiation", "5000000", customer=customer)
    f.deal(personas.teammate, pipe, "Qualified", "1000000")
    f.deal(personas.other_rep, pipe, "Qualified", "7777777")  # another team
    quarter_quota(personas.rep, "10000000")
    quote = quote_actions.create_quote(
        personas.rep,
        deal,
        lines=[{"description": "Blender", "unit_price": "1000000", "discount_percent": "25"}],
    )
    quote_actions.request_approval(personas.rep, quote)
    html = home(as_user(personas.manager))
    assert 'id="home-team-pipeline"' in html and "5,000,000" in html
    assert "7,777,777" not in html  # not the manager's team
    assert "rep" in html and "teammate" in html and "other_rep" not in html
    assert 'id="home-approvals"' in html and quote.number in html
    assert 'id="home-sla"' in html
    assert 'id="home-pipeline"' not in html  # the manager's view, not a rep's


def test_marketing_sees_sources_segments_and_web_form_leads(personas, as_user):
    marketer = make_user("mk", "marketing")
    form = WebForm.objects.create(name="Promo Lebaran")
    web_lead(personas.rep, form, first_name="Dewi", last_name="Web")
    f.lead(personas.rep, source="referral", first_name="Eko", last_name="Ref")
    group = records.create_record(marketer, Group, {"name": "VIP Jakarta"})
    customer_actions.add_to_group(marketer, group, [person(marketer, "Ani", "Vip")])
    html = home(as_user(marketer))
    assert 'id="home-marketing"' in html
    assert "Dewi Web" in html and "Promo Lebaran" in html and "VIP Jakarta" in html
    assert "1 member" in html


def test_admin_sees_the_system_view(personas, as_user):
    html = home(as_user(personas.admin))
    assert 'id="home-system"' in html and "Background jobs" in html
    assert 'id="home-pipeline"' not in html


def test_home_speaks_indonesian(personas, pipe, as_user):
    personas.rep.language = "id"
    personas.rep.save()
    client = as_user(personas.rep)
    client.cookies["django_language"] = "id"
    html = client.get("/", headers={"accept-language": "id"}).content.decode()
    assert "Agenda hari ini" in html and "Pipeline dan kuota saya" in html


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        home(client)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["rep", "manager", "admin", "marketing"])
def test_home_query_count_does_not_grow_with_data(personas, pipe, as_user, who):
    user = make_user("mk", "marketing") if who == "marketing" else getattr(personas, who)
    client = as_user(user)
    form = WebForm.objects.create(name="Promo")

    def add(n, tag):
        customer = person(personas.rep, "Rina", tag)
        for i in range(n):
            for rep in (personas.rep, personas.teammate):
                f.deal(rep, pipe, ["Qualified", "Proposal", "Won"][i % 3], "1000000")
                task(rep, f"{tag}{i}", due_at=timezone.now())
                meeting(rep, customer, f"M{tag}{i}", due_at=timezone.now())
                web_lead(rep, form, first_name=f"{tag}{i}")
            quarter_quota(make_user(f"r{tag}{i}", "sales", personas.team_a, personas.manager), "1")

    add(1, "a")
    few = _queries(client)
    add(5, "b")
    assert _queries(client) == few
    assert few <= 35
