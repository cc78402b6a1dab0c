"""Fitting the customer models as of a chosen date (the analyst's calibration end and hold-out),
on the Lifetime value page and in the API, and MBG/NBD at refresh time: a one-time buyer silent
for years is no longer counted alive."""

import datetime as dt

import pytest
from django.utils import timezone

from relasi.analytics import mart
from relasi.analytics.models_insights import ModelRun
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db
PAGE = "/analytics/customers/clv/"
API = "/api/v1/analytics/insights/clv/backtest"


@pytest.fixture
def shop(personas):
    """24 repeat buyers (16 of the rep, 8 of the other rep) over two years, a one-time buyer
    silent for three years and one who bought last week."""
    today = timezone.localdate()
    product = f.product(name="P")
    for i in range(24):
        owner = personas.rep if i < 16 else personas.other_rep
        c = f.customer(name=f"Cust {i:02d}", owner=owner, team=owner.team)
        for k in range(3 + i % 5):
            day = today - dt.timedelta(days=(i % 3) * 150 + 40 * k + i)
            f.order(
                customer_id=c.pk, day=day, owner_id=owner.pk, lines=[(product, 1, 90_000, 50_000)]
            )
    silent = f.customer(name="Silent", owner=personas.rep, team=personas.rep.team)
    f.order(customer_id=silent.pk, day=today - dt.timedelta(days=3 * 365), owner_id=personas.rep.pk,
            lines=[(product, 1, 90_000, 50_000)])  # fmt: skip
    fresh = f.customer(name="Fresh", owner=personas.rep, team=personas.rep.team)
    f.order(customer_id=fresh.pk, day=today - dt.timedelta(days=7), owner_id=personas.rep.pk,
            lines=[(product, 1, 90_000, 50_000)])  # fmt: skip
    assert mart.refresh(trigger="test").status == "succeeded"
    return {"silent": silent, "fresh": fresh, "today": today}


def test_refresh_fits_mbgnbd_and_one_time_buyers_can_drop_out(shop):
    run = ModelRun.objects.get(kind="clv")
    assert run.params["model"] == "mbgnbd"
    assert run.quality["holdout"]["model"] == "mbgnbd"
    alive = dict(mart.query("SELECT customer_key, p_alive FROM ins_clv WHERE x = 0"))
    # the defect: every one-time buyer had P(alive) = 100 %, however long silent
    assert alive[shop["silent"].pk] < alive[shop["fresh"].pk] < 1.0
    assert alive[shop["silent"].pk] < 0.5


def test_the_page_fits_as_of_the_chosen_calibration_end(shop, personas, as_user):
    end = shop["today"] - dt.timedelta(weeks=20)
    r = as_user(personas.admin).get(f"{PAGE}?calibration_end={end.isoformat()}&holdout_weeks=13")
    assert r.status_code == 200
    bt = r.context["backtest"]
    assert bt["ok"] and bt["calibration_end"] == end.isoformat()
    assert bt["holdout_end"] == (end + dt.timedelta(weeks=13)).isoformat() and bt["weeks"] == 13
    assert set(bt["models"]) == {"mbgnbd", "bgnbd"}
    assert bt["models"]["bgnbd"]["p_alive_one_time"] == 1.0
    assert bt["models"]["mbgnbd"]["p_alive_one_time"] < 1.0
    html = r.content.decode()
    assert 'id="clv-backtest-models"' in html and 'data-chart="clv-tracking"' in html
    # another calibration end is another fit (not the refresh's "as of today")
    other = shop["today"] - dt.timedelta(weeks=28)
    r2 = as_user(personas.admin).get(f"{PAGE}?calibration_end={other.isoformat()}&holdout_weeks=13")
    bt2 = r2.context["backtest"]
    assert bt2["ok"] and bt2["customers"] < bt["customers"]
    assert bt2["models"]["mbgnbd"]["params"] != bt["models"]["mbgnbd"]["params"]


def test_the_page_rejects_a_calibration_end_without_a_holdout(shop, personas, as_user):
    r = as_user(personas.admin).get(
        f"{PAGE}?calibration_end={shop['today'].isoformat()}&holdout_weeks=13"
    )
    assert r.status_code == 200 and r.context["backtest"] is None
    assert r.context["backtest_form"].errors["calibration_end"]
    r = as_user(personas.admin).get(f"{PAGE}?calibration_end=2020-01-01&holdout_weeks=0")
    assert r.context["backtest_form"].errors["holdout_weeks"]


def test_the_api_fits_as_of_a_date_with_visibility_and_validation(shop, personas, as_user):
    end = (shop["today"] - dt.timedelta(weeks=20)).isoformat()
    admin = as_user(personas.admin).get(f"{API}?calibration_end={end}&holdout_weeks=13")
    assert admin.status_code == 200
    body = admin.json()
    assert body["ok"] and body["models"]["mbgnbd"]["params"]["r"] > 0
    assert body["actual_total"] >= 0 and len(body["models"]["bgnbd"]["by_frequency"]) >= 1
    rep = as_user(personas.rep).get(f"{API}?calibration_end={end}&holdout_weeks=13").json()
    assert rep["customers"] < body["customers"]  # only the rep's own customers
    bad = as_user(personas.admin).get(f"{API}?calibration_end={shop['today'].isoformat()}")
    assert bad.status_code == 422
    assert as_user(personas.admin).get(f"{API}?calibration_end=junk").status_code == 422
    assert as_user(personas.readonly).get(f"{API}?calibration_end={end}").status_code == 403
