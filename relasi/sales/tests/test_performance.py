"""Performance figures equal a hand-written SQL ground truth."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from relasi.sales import performance
from relasi.sales.actions import deals as actions
from relasi.sales.models import Deal
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    p = f.pipeline()
    base = dt.datetime(2026, 7, 3, 9, tzinfo=dt.UTC)
    for i, (value, path, days) in enumerate(
        [
            ("10000000", ["Proposal", "Negotiation", "Won"], 10),
            ("30000000", ["Proposal", "Won"], 20),
            ("5000000", ["Proposal", "Lost"], 5),
            ("7000000", ["Proposal"], 3),
            ("2000000", [], 1),
        ]
    ):
        with time_machine.travel(base + dt.timedelta(days=i), tick=False):
            deal = f.deal(personas.rep, p, value=value, name=f"D{i}")
        for step, stage in enumerate(path, start=1):
            with time_machine.travel(
                base + dt.timedelta(days=i + step * days / len(path)), tick=False
            ):
                deal = actions.move_deal(personas.rep, deal, f.stage(p, stage))
    return personas, p


def _sql(query, params=()):
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


def test_summary_matches_sql(world):
    personas, _p = world
    start, end = dt.date(2026, 7, 1), dt.date(2026, 10, 1)
    deals = Deal.objects.filter(owner=personas.rep)
    s = performance.summary(deals, start, end)
    won_n, won_sum = _sql(
        "SELECT COUNT(*), SUM(value) FROM sales_deal WHERE owner_id = %s AND status = 'won' AND closed_at >= %s AND closed_at < %s",
        [
            personas.rep.pk,
            dt.datetime(2026, 6, 30, 17, tzinfo=dt.UTC),
            dt.datetime(2026, 9, 30, 17, tzinfo=dt.UTC),
        ],
    )
    (lost_n,) = _sql(
        "SELECT COUNT(*) FROM sales_deal WHERE owner_id = %s AND status = 'lost'", [personas.rep.pk]
    )
    assert s["won_count"] == won_n == 2
    assert s["won_value"] == Decimal(won_sum) == Decimal("40000000")
    assert s["lost_count"] == lost_n == 1
    assert s["win_rate"] == pytest.approx(100 * 2 / 3, abs=0.05)
    assert s["avg_deal"] == Decimal("20000000")
    # cycle: deal 0 took 10 days, deal 1 took 20 days
    assert s["cycle_days"] == pytest.approx(15.0, abs=0.05)


def test_funnel_matches_stage_history(world):
    _personas, p = world
    rows = performance.funnel(Deal.objects.all(), p, dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    reached = {r["stage"]: r["reached"] for r in rows}
    assert reached == {"Qualified": 5, "Proposal": 4, "Negotiation": 2, "Won": 2}
    assert (
        rows[0]["conversion"] == 80.0
        and rows[1]["conversion"] == 50.0
        and rows[2]["conversion"] == 100.0
    )
    # Ground truth: deals with a stage change into Proposal or any later non-lost stage.
    (n,) = _sql(
        "SELECT COUNT(DISTINCT c.deal_id) FROM sales_dealstagechange c JOIN sales_stage s ON s.id = c.to_stage_id "
        "WHERE s.pipeline_id = %s AND s.kind != 'lost' AND s.\"order\" >= (SELECT \"order\" FROM sales_stage WHERE pipeline_id = %s AND name = 'Proposal')",
        [p.pk, p.pk],
    )
    assert reached["Proposal"] == n


def test_performance_page_numbers(world, as_user):
    personas, _p = world
    with time_machine.travel(dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC), tick=False):
        page = (
            as_user(personas.manager)
            .get(f"/sales/performance/?rep={personas.rep.pk}&period=2026-Q3")
            .content.decode()
        )
        assert 'id="perf-won-count">2<' in page and "66.7 %" in page
        team = as_user(personas.manager).get(
            f"/sales/performance/?team={personas.team_a.pk}&period=2026-Q3"
        )
        assert team.status_code == 200 and "chart-performance" in team.content.decode()
        assert (
            as_user(personas.other_rep)
            .get(f"/sales/performance/?rep={personas.rep.pk}")
            .status_code
            == 404
        )
        assert (
            as_user(personas.rep).get(f"/sales/performance/?rep={personas.teammate.pk}").status_code
            == 404
        )


def test_activities_count_is_optional(world):
    personas, _p = world
    counts = performance.activity_counts(
        [personas.rep.pk], timezone.now() - dt.timedelta(days=30), timezone.now()
    )
    assert counts is None or isinstance(counts, dict)


def test_activity_counts_accept_per_kind_dicts(monkeypatch):
    import sys
    import types

    fake = types.ModuleType("relasi.activities.stats")
    fake.activity_counts = lambda ids, a, b: {ids[0]: {"call": 2, "visit": 3}}
    monkeypatch.setitem(sys.modules, "relasi.activities.stats", fake)
    import relasi.activities

    monkeypatch.setattr(relasi.activities, "stats", fake, raising=False)
    now = timezone.now()
    assert performance.activity_counts([7], now, now) == {7: 5}
