"""Forecast math per rep/team/company, quotas, snapshots and the accuracy of last period."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from relasi.sales import forecast, periods
from relasi.sales.actions import deals as actions
from relasi.sales.models import ForecastSnapshot, Quota
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 8, 14)


@pytest.fixture
def world(personas):
    with time_machine.travel(dt.datetime(2026, 8, 14, 10, tzinfo=dt.UTC), tick=False):
        p = f.pipeline()
        d1 = f.deal(
            personas.rep, p, "Proposal", "10000000", expected_close_date=dt.date(2026, 8, 20)
        )  # 40 %
        actions.set_forecast_category(personas.rep, d1, "commit")
        d2 = f.deal(
            personas.rep, p, "Negotiation", "20000000", expected_close_date=dt.date(2026, 9, 5)
        )  # 70 %
        actions.set_forecast_category(personas.rep, d2, "best_case")
        d3 = f.deal(
            personas.teammate, p, "Qualified", "5000000", expected_close_date=dt.date(2026, 7, 30)
        )  # Q3, not August
        won = f.deal(
            personas.teammate, p, "Proposal", "8000000", expected_close_date=dt.date(2026, 8, 1)
        )
        actions.move_deal(personas.teammate, won, f.stage(p, "Won"))
        f.deal(
            personas.other_rep, p, "Proposal", "7000000", expected_close_date=dt.date(2026, 8, 25)
        )
        Quota.objects.create(
            user=personas.rep,
            period_kind="quarter",
            period_start=dt.date(2026, 7, 1),
            amount=Decimal("50000000"),
        )
        Quota.objects.create(
            user=personas.teammate,
            period_kind="quarter",
            period_start=dt.date(2026, 7, 1),
            amount=Decimal("30000000"),
        )
        return personas, p, d1, d2, d3


def test_quarter_forecast_for_a_manager(world):
    personas, *_ = world
    company = forecast.build(personas.manager, "quarter", dt.date(2026, 7, 1))
    team = next(t for t in company.children if t.team_id == personas.team_a.pk)
    rep = next(r for r in team.children if r.user_id == personas.rep.pk)
    assert rep.weighted == Decimal("18000000.00")  # 10M × 40 % + 20M × 70 %
    assert (
        rep.commit == Decimal("10000000")
        and rep.best_case == Decimal("20000000")
        and rep.pipeline == 0
    )
    assert rep.forecast == Decimal("10000000") and rep.quota == Decimal("50000000")
    mate = next(r for r in team.children if r.user_id == personas.teammate.pk)
    assert mate.closed_won == Decimal("8000000") and mate.pipeline == Decimal("5000000")
    assert company.closed_won == Decimal("8000000")
    # other_rep is not the manager's subordinate: not in the manager's forecast.
    assert company.commit + company.best_case + company.pipeline == Decimal("35000000")


def test_month_forecast_and_manager_override(world):
    personas, _p, d1, _d2, _d3 = world
    aug = forecast.build(personas.admin, "month", dt.date(2026, 8, 1))
    assert aug.commit == Decimal("10000000") and aug.pipeline == Decimal("7000000")
    actions.set_forecast_category(personas.manager, d1, "omitted", override=True)
    aug = forecast.build(personas.admin, "month", dt.date(2026, 8, 1))
    assert aug.commit == 0


def test_rep_sees_only_own_numbers(world):
    personas, *_ = world
    mine = forecast.build(personas.rep, "quarter", dt.date(2026, 7, 1))
    assert mine.user_id == personas.rep.pk and mine.children == []
    assert mine.closed_won == 0


def test_snapshot_and_accuracy(world):
    personas, p, d1, _d2, _d3 = world
    with time_machine.travel(dt.datetime(2026, 8, 1, 1, tzinfo=dt.UTC), tick=False):
        forecast.snapshot("month", dt.date(2026, 8, 1))
    first = ForecastSnapshot.objects.get(scope="company", period_kind="month")
    assert first.commit == Decimal("10000000")
    with time_machine.travel(dt.datetime(2026, 8, 20, 5, tzinfo=dt.UTC), tick=False):
        actions.move_deal(personas.rep, d1, f.stage(p, "Won"))
    actual = forecast.build(personas.admin, "month", dt.date(2026, 8, 1)).closed_won
    assert actual == Decimal("18000000")
    acc = forecast.accuracy("month", dt.date(2026, 8, 1), actual=actual)
    assert acc.forecast == first.closed_won + first.commit
    expected = max(0.0, 100 * (1 - abs(float(actual - acc.forecast)) / float(acc.forecast)))
    assert acc.accuracy == pytest.approx(expected)


def test_snapshot_command_writes_current_and_closing_rows(world):
    with time_machine.travel(dt.datetime(2026, 9, 1, 1, tzinfo=dt.UTC), tick=False):
        call_command("snapshot_forecasts")
    kinds = set(
        ForecastSnapshot.objects.filter(scope="company").values_list("period_kind", "period_start")
    )
    assert ("month", dt.date(2026, 9, 1)) in kinds and ("month", dt.date(2026, 8, 1)) in kinds
    assert ("quarter", dt.date(2026, 7, 1)) in kinds


def test_forecast_page_and_api(world, as_user):
    personas, *_ = world
    with time_machine.travel(dt.datetime(2026, 8, 14, 10, tzinfo=dt.UTC), tick=False):
        page = as_user(personas.manager).get("/sales/forecast/?period_kind=quarter&period=2026-Q3")
        assert page.status_code == 200 and "chart-forecast" in page.content.decode()
        api = (
            as_user(personas.manager)
            .get("/api/v1/sales/forecast?period_kind=quarter&period=2026-Q3")
            .json()
        )
        assert Decimal(api["closed_won"]) == Decimal("8000000")


def test_quotas_page_for_managers_only(world, as_user):
    personas, *_ = world
    assert as_user(personas.rep).get("/sales/quotas/").status_code == 403
    client = as_user(personas.manager)
    response = client.post(
        "/sales/quotas/?period_kind=month&period=2026-08",
        {f"u{personas.rep.pk}": "12.000.000", f"t{personas.team_a.pk}": "40000000"},
    )
    assert response.status_code == 302
    assert Quota.objects.get(user=personas.rep, period_kind="month").amount == Decimal("12000000")
    assert Quota.objects.get(team=personas.team_a, period_kind="month").amount == Decimal(
        "40000000"
    )
    # other_rep is outside the manager's people: their field is ignored
    client.post(
        "/sales/quotas/?period_kind=month&period=2026-08", {f"u{personas.other_rep.pk}": "1"}
    )
    assert not Quota.objects.filter(user=personas.other_rep).exists()


def test_periods():
    assert periods.period_start(TODAY, "quarter") == dt.date(2026, 7, 1)
    assert periods.period_end(dt.date(2026, 10, 1), "quarter") == dt.date(2027, 1, 1)
    assert periods.parse("2026-Q4", "quarter", TODAY) == dt.date(2026, 10, 1)
    assert periods.parse("nonsense", "month", TODAY) == dt.date(2026, 8, 1)
    assert timezone.now()


# --- whose quota and which team rows a viewer gets (issue #19) --------------------------------

Q3 = dt.date(2026, 7, 1)


@pytest.fixture
def team_quota(world):
    personas = world[0]
    Quota.objects.create(
        team=personas.team_a, period_kind="quarter", period_start=Q3, amount=Decimal("100000000")
    )
    return world


def test_a_rep_sees_her_own_quota_and_no_team_rows(team_quota):
    personas = team_quota[0]
    mine = forecast.build(personas.rep, "quarter", Q3)
    assert mine.scope == "rep" and mine.user_id == personas.rep.pk
    assert mine.quota == Decimal("50000000")  # hers, not the team's 100M
    assert mine.children == []
    assert mine.commit == Decimal("10000000") and mine.best_case == Decimal("20000000")


def test_forecast_page_for_a_rep_shows_her_quota_once(team_quota, as_user):
    personas = team_quota[0]
    with time_machine.travel(dt.datetime(2026, 8, 14, 10, tzinfo=dt.UTC), tick=False):
        page = as_user(personas.rep).get("/sales/forecast/?period_kind=quarter&period=2026-Q3")
    html = page.content.decode()
    assert "50,000,000" in html and "100,000,000" not in html
    assert "data-team=" not in html  # no team row repeating her numbers
    api = as_user(personas.rep).get("/api/v1/sales/forecast?period_kind=quarter&period=2026-Q3")
    assert Decimal(api.json()["quota"]) == Decimal("50000000")
    assert api.json()["children"] == []


def test_a_manager_gets_the_whole_team_with_the_team_quota(team_quota):
    personas = team_quota[0]
    top = forecast.build(personas.manager, "quarter", Q3)
    assert top.key == "total"  # the manager's people, not the company
    team = next(t for t in top.children if t.team_id == personas.team_a.pk)
    assert not team.partial and team.quota == Decimal("100000000")
    assert team.closed_won == Decimal("8000000")
    assert team.commit + team.best_case + team.pipeline == Decimal("35000000")
    assert {r.user_id for r in team.children} == {personas.rep.pk, personas.teammate.pk}
    assert top.quota == Decimal("100000000")


def test_a_team_without_its_own_quota_sums_its_reps(world):
    personas = world[0]
    team = next(
        t
        for t in forecast.build(personas.admin, "quarter", Q3).children
        if t.team_id == personas.team_a.pk
    )
    assert team.quota == Decimal("80000000")  # 50M + 30M


def test_a_supervisor_of_part_of_a_team_gets_their_part_not_the_team_quota(team_quota, as_user):
    from relasi.core.testing import make_user

    personas = team_quota[0]
    supervisor = make_user("supervisor", "manager", personas.team_a, personas.manager)
    personas.rep.manager = supervisor
    personas.rep.save(update_fields=["manager"])
    top = forecast.build(supervisor, "quarter", Q3)
    team = next(t for t in top.children if t.team_id == personas.team_a.pk)
    assert team.partial and team.quota == Decimal("50000000")
    assert [r.user_id for r in team.children] == [personas.rep.pk]
    assert forecast.sees_whole_team(personas.manager, personas.team_a.pk)
    assert not forecast.sees_whole_team(supervisor, personas.team_a.pk)
    with time_machine.travel(dt.datetime(2026, 8, 14, 10, tzinfo=dt.UTC), tick=False):
        perf = as_user(supervisor).get(
            f"/sales/performance/?team={personas.team_a.pk}&period_kind=quarter&period=2026-Q3"
        )
    assert perf.status_code == 200 and perf.context["quota"] == Decimal("50000000")


def test_a_reps_accuracy_uses_her_own_snapshot(world):
    personas, p, d1, _d2, _d3 = world
    with time_machine.travel(dt.datetime(2026, 8, 1, 1, tzinfo=dt.UTC), tick=False):
        forecast.snapshot("month", dt.date(2026, 8, 1))
    with time_machine.travel(dt.datetime(2026, 8, 20, 5, tzinfo=dt.UTC), tick=False):
        actions.move_deal(personas.rep, d1, f.stage(p, "Won"))
        mine = forecast.build(personas.rep, "month", dt.date(2026, 8, 1))
        acc = forecast.accuracy_for(personas.rep, mine, "month", dt.date(2026, 8, 1))
        team = forecast.build(personas.manager, "month", dt.date(2026, 8, 1))
        team_acc = forecast.accuracy_for(personas.manager, team, "month", dt.date(2026, 8, 1))
    assert acc.forecast == Decimal("10000000") and acc.actual == Decimal("10000000")
    assert acc.accuracy == pytest.approx(100.0)
    # The manager's people forecast 10M (rep's commit) + 8M (teammate's win) and won 18M.
    assert team_acc.forecast == Decimal("18000000") and team_acc.actual == Decimal("18000000")
