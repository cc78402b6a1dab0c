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
    company = forecast.build(personas.rep, "quarter", dt.date(2026, 7, 1))
    assert [r.user_id for t in company.children for r in t.children] == [personas.rep.pk]
    assert company.closed_won == 0


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
