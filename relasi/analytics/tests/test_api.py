"""The analytics API (/api/v1/analytics) with the permission matrix: who may call it, and whose
numbers each persona gets (facts are filtered by the order owner's visibility)."""

import datetime as dt

import pytest
from django.test import Client

from relasi.accounts import actions as account_actions
from relasi.analytics import mart
from relasi.commerce.tests import factories as f
from relasi.core.testing import make_user

pytestmark = pytest.mark.django_db
JAN, FEB = dt.date(2025, 1, 10), dt.date(2025, 2, 10)
PERIOD = "start=2025-01-01&end=2025-03-01"


@pytest.fixture
def shop(personas):
    """Orders credited to rep (1,000), teammate (2,000) and other_rep (5,000 + 700)."""
    p = f.product(category="Dapur")
    web = f.store(code="WEB1", channel="web")
    c1, c2 = f.customer(), f.customer()
    f.order(customer_id=c1.pk, owner_id=personas.rep.pk, lines=[(p, 1, 1000)], day=JAN)
    f.order(customer_id=c2.pk, owner_id=personas.teammate.pk, lines=[(p, 2, 1000)], day=FEB)
    f.order(customer_id=c2.pk, owner_id=personas.other_rep.pk, lines=[(p, 1, 5000)], day=FEB)
    f.order(owner_id=personas.other_rep.pk, store_id=web.pk, lines=[(p, 1, 700)], day=FEB)
    mart.refresh()
    personas.analyst = make_user("analyst", "analyst")  # type: ignore[attr-defined]
    return personas


def _token(user, scopes=None) -> Client:
    _t, raw = account_actions.issue_token(user, "test", scopes or {"analytics": "read"})
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _kpis(client: Client) -> dict:
    r = client.get(f"/api/v1/analytics/kpis?{PERIOD}")
    assert r.status_code == 200, r.content
    return {k["key"]: k for k in r.json()}


@pytest.mark.parametrize(
    "who,revenue,orders",
    [
        ("admin", 8700, 4),
        ("analyst", 8700, 4),  # the Analyst role sees every fact
        ("manager", 3000, 2),  # self and subordinates (rep, teammate)
        ("rep", 1000, 1),  # own orders only
        ("teammate", 2000, 1),
        ("other_rep", 5700, 2),
    ],
)
def test_kpis_follow_visibility(shop, who, revenue, orders):
    got = _kpis(_token(getattr(shop, who)))
    assert got["revenue"]["value"] == revenue and got["orders"]["value"] == orders
    assert got["revenue"]["formula"] and got["revenue"]["start"] == "2025-01-01"
    assert len(got) == 20  # every KPI of the catalogue, service KPIs included


def test_who_may_call(shop, as_user):
    assert _token(shop.readonly).get(f"/api/v1/analytics/kpis?{PERIOD}").status_code == 403
    wrong_scope = _token(shop.admin, {"customers": "read"})
    assert wrong_scope.get(f"/api/v1/analytics/kpis?{PERIOD}").status_code == 403
    assert Client().get(f"/api/v1/analytics/kpis?{PERIOD}").status_code == 401
    # a signed-in session works like a token
    session = as_user(shop.rep).get(f"/api/v1/analytics/kpis?{PERIOD}")
    assert {k["key"]: k["value"] for k in session.json()}["revenue"] == 1000


def test_series_and_breakdowns(shop):
    admin, rep = _token(shop.admin), _token(shop.rep)
    r = admin.get(f"/api/v1/analytics/kpis/revenue/series?grain=month&{PERIOD}")
    assert r.json() == [{"start": "2025-01-01", "value": 1000.0},
                        {"start": "2025-02-01", "value": 7700.0}]  # fmt: skip
    mine = rep.get(f"/api/v1/analytics/kpis/revenue/series?grain=month&{PERIOD}").json()
    assert [m["value"] for m in mine] == [1000.0, 0.0]
    by_owner = admin.get(f"/api/v1/analytics/kpis/revenue/by/owner?{PERIOD}").json()
    assert {b["value_of"]: b["value"] for b in by_owner} == {
        shop.rep.pk: 1000.0, shop.teammate.pk: 2000.0, shop.other_rep.pk: 5700.0}  # fmt: skip
    rep_by_owner = rep.get(f"/api/v1/analytics/kpis/revenue/by/owner?{PERIOD}").json()
    assert rep_by_owner == [{"value_of": shop.rep.pk, "value": 1000.0}]
    by_channel = admin.get(f"/api/v1/analytics/kpis/orders/by/channel?{PERIOD}").json()
    assert {b["value_of"]: b["value"] for b in by_channel} == {"store": 3, "web": 1}
    assert admin.get("/api/v1/analytics/kpis/nope/series").status_code == 404
    assert admin.get("/api/v1/analytics/kpis/revenue/series?grain=decade").status_code == 404
    assert admin.get("/api/v1/analytics/kpis/revenue/by/customer_key").status_code == 404
    filtered = _kpis_with(admin, "channel=web")
    assert filtered["revenue"] == 700


def _kpis_with(client: Client, query: str) -> dict:
    r = client.get(f"/api/v1/analytics/kpis?{PERIOD}&{query}")
    return {k["key"]: k["value"] for k in r.json()}


def test_report_run(shop):
    body = {"fact": "order_lines", "dims": ["month"], "measures": ["revenue", "orders"],
            "start": "2025-01-01", "end": "2025-03-01"}  # fmt: skip
    admin = _token(shop.admin).post("/api/v1/analytics/reports/run", body, "application/json")
    assert admin.status_code == 200
    assert admin.json() == {"headers": ["Month", "Revenue", "Orders"],
                            "rows": [["2025-01", 1000.0, 1], ["2025-02", 7700.0, 3]]}  # fmt: skip
    rep = _token(shop.rep).post("/api/v1/analytics/reports/run", body, "application/json")
    assert rep.json()["rows"] == [["2025-01", 1000.0, 1]]
    hostile = {**body, "dims": ["month; DROP TABLE fact_order"]}
    r = _token(shop.admin).post("/api/v1/analytics/reports/run", hostile, "application/json")
    assert r.status_code == 422
    assert mart.query("SELECT count(*) FROM fact_order") == [(4,)]
    assert (
        _token(shop.readonly)
        .post("/api/v1/analytics/reports/run", body, "application/json")
        .status_code
        == 403
    )


def test_mart_status_is_for_administrators(shop):
    r = _token(shop.admin, {"admin": "read"}).get("/api/v1/analytics/mart")
    assert r.status_code == 200
    body = r.json()
    assert body["generation"] == mart.generation() and body["tables"]["fact_order"] == 4
    assert body["refreshes"][0]["status"] == "succeeded"
    for who in ("manager", "analyst", "rep", "readonly"):
        assert (
            _token(getattr(shop, who), {"admin": "read"}).get("/api/v1/analytics/mart").status_code
            == 403
        )


def test_no_mart_yet_gives_empty_values(personas):
    got = _kpis(_token(personas.admin))
    assert got["revenue"]["value"] is None and got["retention_rate"]["value"] is None
    r = _token(personas.admin).post(
        "/api/v1/analytics/reports/run",
        {"fact": "orders", "dims": ["month"], "measures": ["revenue"]},
        "application/json",
    )
    assert r.json()["rows"] == []
