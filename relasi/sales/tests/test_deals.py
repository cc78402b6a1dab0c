"""Deals: stage transitions and history, the Kanban move (one POST, 409, totals), query counts."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from relasi.sales.actions import deals as actions
from relasi.sales.models import Deal, DealStageChange
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return f.pipeline()


def test_stage_history_records_time_in_stage(personas, p):
    deal = f.deal(personas.rep, p)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        deal = actions.move_deal(
            personas.rep, deal, f.stage(p, "Proposal"), expected_version=deal.version
        )
    change = deal.stage_changes.order_by("-at").first()
    assert change.from_stage.name == "Qualified" and change.to_stage.name == "Proposal"
    assert 3 * 86400 - 5 <= change.seconds_in_previous <= 3 * 86400 + 5
    assert deal.stage_changes.count() == 2  # opened + moved


def test_won_and_lost_close_the_deal_and_reopen(personas, p):
    deal = f.deal(personas.rep, p)
    deal = actions.move_deal(personas.rep, deal, f.stage(p, "Won"))
    assert (
        deal.status == "won" and deal.closed_at is not None and deal.forecast_category == "commit"
    )
    deal = actions.move_deal(
        personas.rep, deal, f.stage(p, "Lost"), lost_reason=p.stages.first() and None
    )
    assert deal.status == "lost"
    deal = actions.move_deal(personas.rep, deal, f.stage(p, "Proposal"))
    assert deal.status == "open" and deal.closed_at is None


def test_stage_of_another_pipeline_is_refused(personas, p):
    other = f.pipeline("Paket MCU korporat")
    deal = f.deal(personas.rep, p)
    with pytest.raises(ValidationError):
        actions.move_deal(personas.rep, deal, other.stages.first())


def test_lines_set_the_value_when_the_rep_chooses_them(personas, p):
    deal = f.deal(personas.rep, p)  # typed value 1,000,000
    prod = f.product(price="450000")
    lines = [
        {"product": prod, "quantity": 10, "discount_percent": 5},
        {"description": "Delivery", "unit_price": 150000},
    ]
    deal = actions.set_lines(personas.rep, deal, lines)
    assert deal.value == Decimal("1000000")  # the typed value is kept without asking
    deal = actions.set_lines(personas.rep, deal, lines, value_source="lines")
    assert deal.value == Decimal("4425000")  # 4,500,000 − 5 % + 150,000


def test_forecast_category_rep_and_manager_override(personas, p):
    deal = f.deal(personas.rep, p)
    deal = actions.set_forecast_category(personas.rep, deal, "best_case")
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        actions.set_forecast_category(personas.rep, deal, "commit", override=True)
    deal = actions.set_forecast_category(personas.manager, deal, "commit", override=True)
    assert deal.effective_forecast_category == "commit" and deal.forecast_category == "best_case"
    with pytest.raises(Exception):  # noqa: B017
        actions.set_forecast_category(personas.other_rep, deal, "omitted", override=True)


def test_board_move_is_one_post_returning_card_and_totals(personas, p, as_user):
    deal = f.deal(personas.rep, p, value="2000000")
    f.deal(personas.rep, p, "Proposal", value="3000000", name="Other")
    client = as_user(personas.rep)
    response = client.post(
        f"/sales/deals/{deal.pk}/move/",
        {"stage": f.stage(p, "Proposal").pk, "version": deal.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="deal-{deal.pk}"' in html
    proposal, qualified = f.stage(p, "Proposal"), f.stage(p, "Qualified")
    assert f'id="stage-total-{proposal.pk}"' in html and f'id="stage-total-{qualified.pk}"' in html
    assert "5,000,000" in html  # the Proposal column now holds 2 + 3 million
    deal.refresh_from_db()
    assert deal.stage == proposal and deal.version == 2


def test_board_move_with_stale_version_is_409(personas, p, as_user):
    deal = f.deal(personas.rep, p)
    client = as_user(personas.rep)
    url = f"/sales/deals/{deal.pk}/move/"
    assert (
        client.post(
            url, {"stage": f.stage(p, "Proposal").pk, "version": 1}, HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    stale = client.post(
        url, {"stage": f.stage(p, "Negotiation").pk, "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.content.decode()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Proposal"


def test_board_move_permissions(personas, p, as_user):
    deal = f.deal(personas.rep, p)
    stage = f.stage(p, "Proposal").pk
    assert (
        as_user(personas.other_rep)
        .post(f"/sales/deals/{deal.pk}/move/", {"stage": stage, "version": 1})
        .status_code
        == 404
    )
    assert (
        as_user(personas.readonly)
        .post(f"/sales/deals/{deal.pk}/move/", {"stage": stage, "version": 1})
        .status_code
        == 403
    )
    no_js = as_user(personas.rep).post(
        f"/sales/deals/{deal.pk}/move/", {"stage": stage, "version": 1}
    )
    assert no_js.status_code == 302  # the "Move to…" select without JavaScript


def test_board_shows_totals_rotting_and_filters(personas, p, as_user):
    old = f.deal(personas.rep, p, value="1000000", name="Stale deal")
    Deal.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - dt.timedelta(days=30))
    f.deal(personas.teammate, p, value="4000000", name="Mate deal")
    page = as_user(personas.manager).get(f"/sales/board/{p.pk}/").content.decode()
    assert "Stale deal" in page and "Mate deal" in page and "rotting" in page
    mine = (
        as_user(personas.manager)
        .get(f"/sales/board/{p.pk}/?owner={personas.teammate.pk}")
        .content.decode()
    )
    assert "Mate deal" in mine and "Stale deal" not in mine
    rep_page = as_user(personas.rep).get(f"/sales/board/{p.pk}/").content.decode()
    assert "Mate deal" not in rep_page


def test_board_and_list_query_counts_do_not_grow(
    personas, p, as_user, django_assert_max_num_queries
):
    client = as_user(personas.manager)
    for i in range(3):
        f.deal(personas.rep, p, name=f"D{i}")
    client.get(f"/sales/board/{p.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/sales/board/{p.pk}/")
        client.get("/sales/deals/")
        client.get("/sales/leads/")
    for i in range(30):
        f.deal(personas.teammate, p, f.stage(p, "Proposal").name, name=f"E{i}")
        f.lead(personas.teammate, email=f"e{i}@example.test")
    with CaptureQueriesContext(connection) as big:
        client.get(f"/sales/board/{p.pk}/")
        client.get("/sales/deals/")
        client.get("/sales/leads/")
    assert len(big.captured_queries) <= len(small.captured_queries) + 2


def test_stage_change_rows_exist_for_new_deals(personas, p):
    deal = f.deal(personas.rep, p)
    assert DealStageChange.objects.filter(deal=deal, from_stage=None).count() == 1
