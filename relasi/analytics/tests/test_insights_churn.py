"""The churn pipeline on synthetic data with a signal: the time-based hold-out beats chance,
every scored customer gets a risk, and at-risk customers get reasons."""

import datetime as dt
import random

import numpy as np

from relasi.analytics import churn
from relasi.analytics.insights_scope import Scope
from relasi.analytics.tests.insights_fixtures import AS_OF, Mart


def _synthetic() -> Mart:
    m = Mart()
    rng = random.Random(4)
    start = AS_OF - dt.timedelta(days=900)
    rows = []
    for k in range(1, 401):
        gap = rng.choice([10, 20, 40, 80])
        stop = AS_OF - dt.timedelta(days=rng.randint(-60, 500))  # some never stop
        day = start + dt.timedelta(days=rng.randint(0, 120))
        while day <= min(stop, AS_OF):
            rows.append((k, day, rng.choice([50, 100, 200])))
            day += dt.timedelta(days=max(1, int(rng.expovariate(1 / gap))))
        if k % 7 == 0:  # a few complaints
            m.con.execute(
                "INSERT INTO fact_ticket (ticket_id, customer_key, priority, opened_date) "
                "VALUES (?, ?, 'urgent', ?)",
                [k, k, AS_OF - dt.timedelta(days=30)],
            )
    m.bulk_orders(rows)
    return m


def test_time_based_holdout_and_reasons():
    m = _synthetic()
    scope = Scope(as_of=AS_OF)
    churn.load_csat(m.con, [(3, AS_OF - dt.timedelta(days=40), 1)])
    result = churn.train(m.con, scope, horizon=90)
    metrics = result["metrics"]
    assert metrics["train_cutoff"] == (AS_OF - dt.timedelta(days=180)).isoformat()
    assert metrics["test_cutoff"] == (AS_OF - dt.timedelta(days=90)).isoformat()
    assert metrics["test_n"] > 50 and 0 < metrics["base_rate"] < 1
    assert metrics["auc"] > 0.6  # signal: recency and frequency predict the stop
    assert 0 <= metrics["precision_top10"] <= 1
    model = result["model"]
    assert model["features"] == churn.FEATURES and len(model["coef"]) == len(churn.FEATURES)
    # recency pushes risk up, recent orders pull it down
    coef = dict(zip(model["features"], model["coef"], strict=True))
    assert coef["recency_days"] > 0 or coef["orders_90"] < 0
    n = churn.score(m.con, model, scope)
    assert n == m.con.execute("SELECT count(*) FROM ins_churn").fetchone()[0] > 0
    rows = m.con.execute("SELECT risk, reasons FROM ins_churn ORDER BY risk DESC").fetchall()
    assert all(0 <= r <= 1 for r, _why in rows)
    top = rows[: max(1, len(rows) // 10)]
    assert all(why for _r, why in top)  # the riskiest customers come with reasons
    assert set("|".join(w for _r, w in top).split("|")) <= set(churn.FEATURES)


def test_metrics_helpers():
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1.0])
    s = np.array([0.9, 0.1, 0.8, 0.2, 0.3, 0.1, 0.2, 0.1, 0.4, 0.7])
    assert churn.auc(y, s) == 1.0
    assert churn.precision_at(y, s, 0.2) == 1.0
    assert churn.auc(np.zeros(3), np.ones(3)) is None


def test_no_model_without_both_classes():
    m = Mart()
    m.order(1, AS_OF - dt.timedelta(days=10))
    result = churn.train(m.con, Scope(as_of=AS_OF))
    assert result["model"] is None and result["metrics"]["auc"] is None
    assert churn.score(m.con, {}, Scope(as_of=AS_OF)) == 0
