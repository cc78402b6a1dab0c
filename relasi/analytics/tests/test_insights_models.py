"""RFM, cohorts, Pareto and basket rules on a hand-made mart, counted by hand."""

import datetime as dt

import pytest

from relasi.analytics import basket, cohorts, pareto, rfm
from relasi.analytics.insights_scope import Scope, orders_where
from relasi.analytics.tests.insights_fixtures import AS_OF, Mart


def _scores(m: Mart, scope: Scope) -> dict[int, tuple]:
    sql, params = rfm.scores_sql(scope)
    return {r[0]: r[1:] for r in m.con.execute(sql, params).fetchall()}


def test_rfm_quintiles_ties_and_segments():
    m = Mart()
    # frequency 1,1,1,1,1,1,2,2,3,5; last purchase dates spread (customer 10 oldest)
    freq = [1, 1, 1, 1, 1, 1, 2, 2, 3, 5]
    for k, n in enumerate(freq, start=1):
        for i in range(n):
            m.order(k, AS_OF - dt.timedelta(days=10 * k + i), amount=100 * k)
    m.order(11, AS_OF, status="cancelled")  # never counts
    s = _scores(m, Scope(as_of=AS_OF))
    assert set(s) == set(range(1, 11))
    # recency, frequency, monetary
    assert s[1][:3] == (10, 1, 100.0)
    assert s[10][:3] == (100, 5, 5000.0)
    # F: the six one-order customers share rank 1 → score 1; two-order customers start at rank 7
    # → 1 + ⌊5·6/10⌋ = 4; three and five orders → 5.
    assert [s[k][5] for k in range(1, 11)] == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    # R: customer 1 bought most recently → 5; customer 10 longest ago → 1; two per quintile.
    assert [s[k][4] for k in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # M ascending by revenue: k·100 grows with k
    assert [s[k][6] for k in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert {k: s[k][7] for k in range(1, 11)} == {
        1: "new", 2: "new", 3: "promising", 4: "promising", 5: "about_to_sleep",
        6: "about_to_sleep", 7: "at_risk", 8: "at_risk", 9: "cant_lose", 10: "cant_lose",
    }  # fmt: skip


def test_segment_grid_sql_matches_python_for_every_cell():
    import duckdb

    con = duckdb.connect()
    cells = [(r, f) for r in range(1, 6) for f in range(1, 6)]
    sql = f"SELECT r, f, {rfm.SEGMENT_CASE} FROM (SELECT unnest(?) AS r, unnest(?) AS f)"  # noqa: S608
    rows = con.execute(sql, [[c[0] for c in cells], [c[1] for c in cells]]).fetchall()
    got = {(r, f): seg for r, f, seg in rows}
    assert got == {c: rfm.segment_of(*c) for c in cells}
    assert set(got.values()) == set(rfm.LABELS)  # all eleven segments are reachable
    assert got[(5, 5)] == "champions" and got[(1, 1)] == "lost" and got[(1, 5)] == "cant_lose"


def test_rfm_summary_and_monthly_snapshots():
    m = Mart()
    m.order(1, "2025-04-10", 100)
    m.order(1, "2025-06-10", 100)
    m.order(2, "2025-05-20", 50)
    sql, params = rfm.scores_sql(Scope(as_of=AS_OF))
    summary = {s["key"]: s for s in rfm.segment_summary(m.con, f"({sql})", params)}
    assert sum(s["customers"] for s in summary.values()) == 2
    assert pytest.approx(sum(s["value"] for s in summary.values())) == 250
    snaps = rfm.monthly_snapshots(m.con, Scope(as_of=AS_OF), months=3)
    by_month: dict = {}
    for month, _seg, n, value in snaps:
        by_month.setdefault(month, [0, 0.0])
        by_month[month][0] += n
        by_month[month][1] += value
    assert by_month == {dt.date(2025, 4, 30): [1, 100.0], dt.date(2025, 5, 31): [2, 150.0],
                        dt.date(2025, 6, 30): [2, 250.0]}  # fmt: skip


def test_scope_filters_and_visibility():
    m = Mart()
    m.customer(1, owner=7, team=1)
    m.customer(2, owner=8, team=2)
    m.con.execute("INSERT INTO dim_owner (owner_key, team_key) VALUES (7, 1), (8, 2)")
    m.order(1, "2025-01-05", store=1, channel="store")
    m.order(2, "2025-02-05", store=2, channel="web")
    assert set(_scores(m, Scope(as_of=AS_OF))) == {1, 2}
    assert set(_scores(m, Scope(as_of=AS_OF, channel="web"))) == {2}
    assert set(_scores(m, Scope(as_of=AS_OF, store=1))) == {1}
    assert set(_scores(m, Scope(as_of=AS_OF, start=dt.date(2025, 2, 1)))) == {2}
    assert set(_scores(m, Scope(as_of=AS_OF, vis_owners=(7,)))) == {1}
    assert set(_scores(m, Scope(as_of=AS_OF, vis_owners=(99,), vis_team=2))) == {2}
    assert set(_scores(m, Scope(as_of=AS_OF, vis_owners=()))) == set()
    where, _p = orders_where(Scope(as_of=AS_OF))
    assert "is_sale" in where


def test_cohorts_against_a_hand_count():
    m = Mart()
    # January cohort: 1, 2, 3; February cohort: 4
    m.order(1, "2025-01-03"), m.order(1, "2025-02-03"), m.order(1, "2025-03-03")
    m.order(2, "2025-01-20"), m.order(2, "2025-03-01")
    m.order(3, "2025-01-31")
    m.order(4, "2025-02-14"), m.order(4, "2025-02-20"), m.order(4, "2025-03-14")
    rows = cohorts.matrix(m.con, Scope(as_of=AS_OF))
    got = {(c.month, age): (active, size) for c, age, active, size in rows}
    assert got == {
        (1, 0): (3, 3), (1, 1): (1, 3), (1, 2): (2, 3),
        (2, 0): (1, 1), (2, 1): (1, 1),
    }  # fmt: skip
    t = cohorts.table(rows)
    assert t["ages"] == [0, 1, 2]
    assert t["lines"][0]["cells"][2]["rate"] == pytest.approx(2 / 3)
    assert t["lines"][1]["cells"][2] is None
    assert t["curve"][0] == 1.0 and t["curve"][1] == pytest.approx(2 / 4)
    assert cohorts.shade(0) == "#ffffff" and cohorts.shade(1) == "#0d6efd"


def test_pareto_shares_and_activity_based_cost():
    m = Mart()
    # ten customers: customer 10 brings 910 of 1,000 revenue
    for k in range(1, 10):
        m.order(k, "2025-03-01", amount=10, margin=5)
    m.order(10, "2025-03-01", amount=910, margin=100)
    # customer 10 costs a lot to serve: 20 calls and 5 tickets
    for i in range(20):
        m.con.execute(
            "INSERT INTO fact_activity (activity_id, customer_key, kind, status, activity_date) "
            "VALUES (?, 10, 'call', 'done', '2025-03-02')",
            [i + 1],
        )
    for i in range(5):
        m.con.execute(
            "INSERT INTO fact_ticket (ticket_id, customer_key, opened_date) VALUES (?, 10, '2025-03-03')",
            [i + 1],
        )
    out = pareto.analyse(m.con, Scope(as_of=AS_OF), {"call": 4, "ticket": 10})
    assert out["customers"] == 10
    assert out["totals"]["revenue"] == 1000 and out["totals"]["cost"] == 130
    # top 20 % = 2 customers: by revenue customer 10 + one of the others
    assert out["top20_by_revenue"]["revenue_share"] == pytest.approx(920 / 1000)
    assert out["top20_by_revenue"]["margin_share"] == pytest.approx(105 / 145)
    # by profit customer 10 (100 − 130 = −30) drops to the bottom
    assert out["bottom"][0]["customer_key"] == 10 and out["bottom"][0]["profit"] == -30
    assert out["top"][0]["customer_key"] != 10
    assert out["curve"][-1]["revenue"] == pytest.approx(1.0)


def test_basket_rules_against_a_hand_count():
    m = Mart()
    baskets = [[1, 2], [1, 2, 3], [1, 3], [2, 3], [1, 2, 3], [4], [1, 2], [4, 1]]
    for b in baskets:
        m.order(None, "2025-03-01", products=b)
    stats = basket.mine(m.con, Scope(as_of=AS_OF), min_count=2, min_support=0)
    assert stats["baskets"] == 0  # anonymous baskets do not count (customer_key NULL)
    m2 = Mart()
    for i, b in enumerate(baskets):
        m2.order(i + 1, "2025-03-01", products=b)
    stats = basket.mine(m2.con, Scope(as_of=AS_OF), min_count=2, min_support=0, min_confidence=0)
    n = len(baskets)
    assert stats["baskets"] == n
    rules = {(a1, a2, c): (cnt, s, conf, lift) for a1, a2, c, cnt, s, conf, lift in
             m2.con.execute("SELECT * FROM ins_basket_rules").fetchall()}  # fmt: skip
    count = {p: sum(p in b for b in baskets) for p in (1, 2, 3, 4)}
    both12 = sum({1, 2} <= set(b) for b in baskets)
    cnt, support, confidence, lift = rules[(1, None, 2)]
    assert cnt == both12 == 4
    assert support == pytest.approx(both12 / n)
    assert confidence == pytest.approx(both12 / count[1])
    assert lift == pytest.approx((both12 / count[1]) / (count[2] / n))
    # the triple {1,2,3} occurs twice: {1,2} → 3
    cnt3, _s, conf3, _l = rules[(1, 2, 3)]
    assert cnt3 == 2 and conf3 == pytest.approx(2 / both12)
    # product 4 occurs twice but never with a frequent partner twice: no rule with it
    assert not [k for k in rules if 4 in k]
    sugg = basket.suggestions(m2.con, [3, 4])
    assert all(s["product_key"] not in (3, 4) for s in sugg)
