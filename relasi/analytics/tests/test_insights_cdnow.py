"""The purchase models on real data they were not generated from: the CDNOW sample of the
BG/NBD paper (tests/data/cdnow_sample.txt, 2,357 customers, 6,919 purchases), loaded into a
mart and fitted as of the paper's calibration end through the same code the refresh and the
analyst's "fit as of a chosen date" use.

Published (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing Science
24(2), 39-week calibration ending 1997-09-30): r = 0.243, α = 4.414, a = 0.793, b = 2.426,
log-likelihood −9,582.4; a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make
1.226 purchases in the next 39 weeks."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from relasi.analytics import clv, insights
from relasi.analytics.insights_scope import Scope
from relasi.analytics.tests.insights_fixtures import Mart

DATA = Path(__file__).parent / "data" / "cdnow_sample.txt"
CALIBRATION_END = dt.date(1997, 9, 30)  # week 39
DATA_END = dt.date(1998, 6, 30)  # week 78
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow() -> Mart:
    m = Mart()
    rows = []
    for line in DATA.read_text().splitlines():
        cid, _sample, day, _cds, amount = line.split()
        rows.append((int(cid), dt.datetime.strptime(day, "%Y%m%d").date(), float(amount)))
    m.bulk_orders(rows)
    return m


def test_the_fit_as_of_the_calibration_end_reproduces_the_published_bgnbd(cdnow):
    check = insights.holdout_check(cdnow.con, Scope(as_of=DATA_END), CALIBRATION_END, 39)
    assert check["ok"] and check["customers"] == 2357
    bg = check["models"]["bgnbd"]
    for name, value in PUBLISHED.items():
        assert round(bg["params"][name], 3) == value, name
    assert round(bg["log_likelihood"], 1) == -9582.4
    assert check["weeks"] == 39.0 and check["holdout_end"] == DATA_END.isoformat()
    # the hold-out's actual purchase days, counted independently from the file
    assert check["actual_total"] == _holdout_purchase_days()
    x, t_x, T = np.array([2.0]), np.array([30.43]), np.array([38.86])
    assert clv.expected_purchases(bg["params"], 39, x, t_x, T)[0] == pytest.approx(1.226, abs=5e-4)


def _holdout_purchase_days() -> int:
    days = set()
    for line in DATA.read_text().splitlines():
        cid, _s, day, *_rest = line.split()
        d = dt.datetime.strptime(day, "%Y%m%d").date()
        if CALIBRATION_END < d <= DATA_END:
            days.add((cid, d))
    return len(days)


def test_mbgnbd_lets_one_time_buyers_drop_out_and_predicts_the_holdout(cdnow):
    check = insights.holdout_check(cdnow.con, Scope(as_of=DATA_END), CALIBRATION_END, 39)
    mbg, bg = check["models"]["mbgnbd"], check["models"]["bgnbd"]
    # BG/NBD: every customer without a repeat purchase is alive; MBG/NBD: not
    assert bg["p_alive_one_time"] == 1.0
    assert 0.2 < mbg["p_alive_one_time"] < 0.6
    # MBG/NBD on CDNOW (the same fit as lifetimes' ModifiedBetaGeoFitter: r 0.525,
    # α 6.183, a 0.891, b 1.614) fits at least as well as BG/NBD
    assert {k: round(v, 3) for k, v in mbg["params"].items()} == pytest.approx(
        {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, abs=2e-3
    )
    assert mbg["log_likelihood"] >= bg["log_likelihood"] - 1.0
    # both track the 39-week hold-out within 20 % in total; the table and the curve add up
    for m in (mbg, bg):
        assert abs(m["predicted_total"] - check["actual_total"]) / check["actual_total"] < 0.2
        assert m["predicted_cumulative"][-1] == pytest.approx(m["predicted_total"], rel=1e-9)
        assert sum(b["customers"] for b in m["by_frequency"]) == 2357
    assert check["actual_cumulative"][-1] == check["actual_total"]
    assert len(check["cumulative_weeks"]) == 39


def test_a_one_time_buyer_silent_for_long_is_not_counted_alive(cdnow):
    """The defect: P(alive) stayed at 100 % for every one-time buyer, however long silent."""
    fit = clv.fit_mbgnbd(*_calibration(cdnow))
    x, t_x = np.zeros(3), np.zeros(3)
    alive = clv.p_alive(fit.params, x, t_x, np.array([4.0, 39.0, 260.0]), clv.MBGNBD)
    assert alive[0] > alive[1] > alive[2]
    assert alive[2] < 0.35  # five years without a repeat purchase


def _calibration(m: Mart) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = insights.clv_inputs(m.con, Scope(as_of=CALIBRATION_END))
    return d["x"], d["t_x"], d["T"]


def test_a_holdout_past_the_data_is_shortened(cdnow):
    check = insights.holdout_check(cdnow.con, Scope(as_of=DATA_END), dt.date(1998, 3, 31), 52)
    assert check["ok"] and check["weeks_asked"] == 52
    assert check["holdout_end"] == DATA_END.isoformat()
    assert check["weeks"] == round((DATA_END - dt.date(1998, 3, 31)).days / 7, 1)
