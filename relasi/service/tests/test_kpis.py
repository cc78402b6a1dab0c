"""The service KPIs equal figures computed by hand from a small fixture (seed-002 §3 formulas),
for the period, per queue, per team and within a user's visibility; trends and the dashboard."""

import datetime as dt
import itertools

import pytest

from relasi.service import kpis
from relasi.service.models import Survey, Ticket
from relasi.service.tests.factories import ttype, wib

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
_numbers = itertools.count(1)


def row(
    w,
    created,
    *,
    queue,
    fr=None,
    fr_min=None,
    resolved=None,
    res_min=None,
    due=True,
    fcr=None,
    fr_late=False,
    res_late=False,
    status=None,
    **extra,
):
    team = queue.team
    return Ticket.objects.create(
        number=f"TKT-2026-{next(_numbers):06d}",
        ticket_type=ttype("question"),
        customer=w.cust_a,
        subject="x",
        queue=queue,
        team=team,
        owner=w.a1 if team == w.p.team_a else w.b1,
        created_at=created,
        first_responded_at=fr,
        first_response_minutes=fr_min,
        resolved_at=resolved,
        resolution_minutes=res_min,
        resolution_due=created + dt.timedelta(days=2) if due else None,
        first_response_breached=fr_late,
        resolution_breached=res_late,
        fcr=fcr,
        status=status or ("resolved" if resolved else "open"),
        **extra,
    )


def survey(ticket, customer, answered, **scores):
    return Survey.objects.create(
        kind="nps" if "nps" in scores else "csat",
        customer=customer,
        ticket=ticket,
        token_hash=f"{id(scores)}{answered}{scores}",
        sent_at=answered or wib(2026, 3, 1),
        expires_at=wib(2026, 12, 1),
        responded_at=answered,
        **scores,
    )


@pytest.fixture
def fixture(world):
    w = world
    t1 = row(
        w,
        wib(2026, 3, 2, 9),
        queue=w.qa,
        fr=wib(2026, 3, 2, 9, 30),
        fr_min=30,
        resolved=wib(2026, 3, 3, 9),
        res_min=300,
        fcr=True,
    )
    t2 = row(
        w,
        wib(2026, 3, 5, 9),
        queue=w.qa,
        fr=wib(2026, 3, 5, 10, 30),
        fr_min=90,
        resolved=wib(2026, 3, 10, 9),
        res_min=900,
        fcr=False,
        fr_late=True,
        res_late=True,
    )
    t3 = row(
        w,
        wib(2026, 3, 12, 9),
        queue=w.qb,
        fr=wib(2026, 3, 12, 10),
        fr_min=60,
        resolved=wib(2026, 3, 13, 9),
        res_min=400,
        fcr=False,
    )
    row(w, wib(2026, 3, 20, 9), queue=w.qa, fr=wib(2026, 3, 20, 9, 20), fr_min=20)  # still open
    t5 = row(
        w,
        wib(2026, 2, 25, 9),
        queue=w.qb,
        fr=wib(2026, 2, 25, 9, 10),
        fr_min=10,
        resolved=wib(2026, 3, 2, 9),
        res_min=600,
        fcr=True,
        due=False,
    )
    row(
        w,
        wib(2026, 3, 28, 9),
        queue=w.qa,
        fr=wib(2026, 3, 28, 9, 45),
        fr_min=45,
        resolved=wib(2026, 4, 2, 9),
        res_min=700,
        fcr=True,
    )
    row(
        w,
        wib(2026, 3, 3, 9),
        queue=w.qa,
        fr=wib(2026, 3, 3, 9, 5),
        fr_min=5,
        resolved=wib(2026, 3, 3, 10),
        res_min=60,
        fcr=True,
        merged_into=t1,
        status="closed",
    )
    survey(t1, w.cust_a, wib(2026, 3, 4, 9), csat=5, ces=7)
    survey(t2, w.cust_a, wib(2026, 3, 11, 9), csat=2, ces=2)
    survey(t3, w.cust_a, wib(2026, 3, 14, 9), csat=4, ces=6)
    survey(t5, w.cust_a, wib(2026, 3, 3, 9), csat=3)
    survey(t1, w.cust_a, wib(2026, 4, 3, 9), csat=1, ces=1)  # April: outside the period
    survey(t3, w.cust_a, None)  # never answered
    for i, score in enumerate((10, 9, 9, 8, 6, 0)):
        survey(None, w.cust_a if i % 2 else w.cust_b, wib(2026, 3, 10 + i, 9), nps=score)
    return w


def test_figures_for_the_whole_period(fixture):
    k = kpis.service_kpis(*MARCH)
    assert k["created"] == 5  # t1, t2, t3, t4, t6 (merged tickets are not counted)
    assert k["resolved"] == 4  # t1, t2, t3, t5
    assert k["sla"] == {"met": 2, "total": 3, "percent": 66.7}  # t5 had no targets
    assert k["resolution_minutes"] == 550.0  # (300 + 900 + 400 + 600) / 4
    assert k["first_response_minutes"] == 49.0 and k["first_response_count"] == 5  # 245 / 5
    assert k["fcr"] == {"yes": 2, "total": 4, "percent": 50.0}
    assert k["csat"] == {"positive": 2, "total": 4, "percent": 50.0}  # 5 and 4 of 5, 2, 4, 3
    assert k["ces"] == {"mean": 5.0, "total": 3}  # (7 + 2 + 6) / 3
    assert k["nps"] == {"promoters": 3, "passives": 1, "detractors": 2, "total": 6, "score": 16.7}
    assert k["open_now"] == 1


def test_figures_per_queue_team_and_visibility(fixture):
    w = fixture
    qa = kpis.service_kpis(*MARCH, queue=w.qa)
    assert (qa["resolved"], qa["sla"]["percent"], qa["fcr"]["percent"]) == (2, 50.0, 50.0)
    assert qa["csat"] == {"positive": 1, "total": 2, "percent": 50.0}
    assert qa["nps"]["score"] == 16.7  # NPS is company-wide
    team_b = kpis.service_kpis(*MARCH, team=w.p.team_b)
    assert team_b["resolved"] == 2 and team_b["sla"] == {"met": 1, "total": 1, "percent": 100.0}
    seen_by_a1 = kpis.service_kpis(*MARCH, user=w.a1)
    assert seen_by_a1["resolved"] == 2 and seen_by_a1["resolution_minutes"] == 600.0
    empty = kpis.service_kpis(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert empty["sla"]["percent"] is None and empty["csat"]["percent"] is None
    assert empty["nps"]["score"] is None and empty["first_response_minutes"] is None


def test_trends_agree_with_the_period_figures(fixture):
    series = kpis.trends(dt.date(2026, 2, 1), dt.date(2026, 4, 30), "month")
    assert [r["bucket"] for r in series] == [
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
    ]
    march = series[1]
    k = kpis.service_kpis(*MARCH)
    for key in ("resolved", "sla", "fcr", "csat", "ces", "nps", "resolution_minutes", "created"):
        assert march[key] == k[key], key
    assert series[2]["resolved"] == 1 and series[2]["csat"]["percent"] == 0.0
    weeks = kpis.trends(*MARCH, "week")
    assert weeks[0]["bucket"] == dt.date(2026, 2, 23) and sum(r["resolved"] for r in weeks) == 4


def test_open_tickets_by_queue_and_age(fixture):
    now = wib(2026, 3, 22, 9)
    rows = kpis.open_by_queue(now=now)
    assert rows == [
        {
            "queue_id": fixture.qa.pk,
            "queue__name": "Team A",
            "total": 1,
            "lt1": 0,
            "d1_3": 1,
            "d3_7": 0,
            "gt7": 0,
        }
    ]


def test_dashboard_page_shows_figures_and_formulas(fixture, as_user, django_assert_max_num_queries):
    client = as_user(fixture.p.admin)
    with django_assert_max_num_queries(40):
        response = client.get(
            "/service/dashboard/", {"start": "2026-03-01", "end": "2026-03-31", "bucket": "week"}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "66,7" in html or "66.7" in html
    assert "% promoters (9–10) − % detractors (0–6)" in html and "Rumus NPS" in html
    assert 'id="service-chart-data"' in html and "<script>" not in html.replace("<script src", "")
    assert client.get("/service/dashboard/", {"start": "nonsense", "queue": "x"}).status_code == 200
