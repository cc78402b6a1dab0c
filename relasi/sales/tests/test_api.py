"""Sales API: CRUD with versions (409 when stale), moves, pipelines, price lists, query counts."""

import pytest

from relasi.sales.models import Deal, Lead, PriceList, PriceListItem
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


def j(client, method, url, body=None):
    return getattr(client, method)(url, body or {}, content_type="application/json")


def test_lead_crud_and_conflict(personas, as_user):
    client = as_user(personas.rep)
    created = j(
        client,
        "post",
        "/api/v1/sales/leads",
        {
            "first_name": "Sari",
            "last_name": "Dewi",
            "phone": "0813 1111 2222",
            "company": "CV Maju",
        },
    )
    assert created.status_code == 201 and created.json()["phone"] == "+6281311112222"
    lead_id, version = created.json()["id"], created.json()["version"]
    assert created.json()["owner_id"] == personas.rep.pk
    ok = j(client, "patch", f"/api/v1/sales/leads/{lead_id}", {"version": version, "city": "Bogor"})
    assert ok.status_code == 200 and ok.json()["city"] == "Bogor"
    assert (
        j(
            client, "patch", f"/api/v1/sales/leads/{lead_id}", {"version": version, "city": "Depok"}
        ).status_code
        == 409
    )
    assert (
        j(
            client, "post", f"/api/v1/sales/leads/{lead_id}/status", {"status": "disqualified"}
        ).status_code
        == 422
    )
    assert (
        j(
            client,
            "post",
            f"/api/v1/sales/leads/{lead_id}/status",
            {"status": "disqualified", "reason": "spam"},
        ).json()["status"]
        == "disqualified"
    )
    assert (
        client.delete(f"/api/v1/sales/leads/{lead_id}").status_code == 403
    )  # sales role: no delete
    assert j(client, "post", "/api/v1/sales/leads", {"phone": "123"}).status_code == 422


def test_deal_crud_lines_and_move(personas, as_user):
    p = f.pipeline()
    prod = f.product(price="100000")
    client = as_user(personas.rep)
    created = j(
        client,
        "post",
        "/api/v1/sales/deals",
        {
            "name": "Kipas untuk kantor",
            "pipeline_id": p.pk,
            "lines": [{"product_id": prod.pk, "quantity": 3, "discount_percent": 10}],
        },
    )
    assert created.status_code == 201, created.content
    deal = created.json()
    assert (
        deal["value"] == "270000.00"
        and deal["stage_id"] == f.stage(p, "Qualified").pk
        and len(deal["lines"]) == 1
    )
    moved = j(
        client,
        "post",
        f"/api/v1/sales/deals/{deal['id']}/move",
        {"stage_id": f.stage(p, "Won").pk, "version": deal["version"]},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "won"
    stale = j(
        client,
        "post",
        f"/api/v1/sales/deals/{deal['id']}/move",
        {"stage_id": f.stage(p, "Lost").pk, "version": deal["version"]},
    )
    assert stale.status_code == 409
    other = f.pipeline("Paket MCU korporat")
    wrong = j(
        client,
        "post",
        f"/api/v1/sales/deals/{deal['id']}/move",
        {"stage_id": other.stages.first().pk, "version": moved.json()["version"]},
    )
    assert wrong.status_code == 422
    patched = j(
        client,
        "patch",
        f"/api/v1/sales/deals/{deal['id']}",
        {"version": moved.json()["version"], "forecast_category": "best_case"},
    )
    assert patched.status_code == 200 and patched.json()["forecast_category"] == "best_case"


def test_pipelines_and_price_lists(personas, as_user):
    p = f.pipeline()
    prod = f.product()
    pl = PriceList.objects.create(name="Korporat", kind="corporate")
    PriceListItem.objects.create(price_list=pl, product=prod, unit_price=400000)
    client = as_user(personas.readonly)
    pipelines = client.get("/api/v1/sales/pipelines").json()
    assert pipelines[0]["name"] == p.name and [
        s["probability"] for s in pipelines[0]["stages"]
    ] == [10, 40, 70, 100, 0]
    detail = client.get(f"/api/v1/sales/price-lists/{pl.pk}").json()
    assert detail["items"][0]["unit_price"] == "400000.00"


def test_price_list_is_used_for_lines(personas):
    from relasi.sales import pricing

    prod = f.product(price="500000")
    pl = PriceList.objects.create(name="Korporat", kind="corporate")
    PriceListItem.objects.create(price_list=pl, product=prod, unit_price=450000)
    PriceListItem.objects.create(price_list=pl, product=prod, unit_price=420000, min_quantity=20)
    assert pricing.price_for(prod, pl, quantity=5) == 450000
    assert pricing.price_for(prod, pl, quantity=25) == 420000
    assert pricing.price_for(prod, None) == 500000


def test_list_query_counts_do_not_grow(personas, as_user, django_assert_max_num_queries):
    p = f.pipeline()
    client = as_user(personas.admin)
    for i in range(3):
        f.deal(personas.rep, p, name=f"A{i}")
        f.lead(personas.rep, email=f"a{i}@example.test")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/v1/sales/deals")
            client.get("/api/v1/sales/leads")
            client.get("/api/v1/sales/quotes")
        return len(ctx.captured_queries)

    small = count()
    for i in range(25):
        f.deal(personas.rep, p, name=f"B{i}")
        f.lead(personas.rep, email=f"b{i}@example.test")
    assert count() <= small
    assert Deal.objects.count() == 28 and Lead.objects.count() == 28
