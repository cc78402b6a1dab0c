import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from relasi.analytics import delivery, mart, reports
from relasi.analytics.models import Report
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(personas):
    p = f.product(category="Dapur")
    f.order(owner_id=personas.rep.pk, lines=[(p, 1, 1000)], day=dt.date(2025, 1, 5))
    f.order(owner_id=personas.other_rep.pk, lines=[(p, 2, 5000)], day=dt.date(2025, 2, 5))
    mart.refresh()
    return personas


@pytest.mark.parametrize("board", ["executive", "sales", "retention", "orders", "service"])
def test_dashboards_render(data, as_user, board, django_assert_max_num_queries):
    client = as_user(data.admin)
    with django_assert_max_num_queries(40):
        r = client.get(f"/analytics/dashboards/{board}/?period=12m")
    assert r.status_code == 200
    assert b"Formula" in r.content and b"dashboard-charts" in r.content


def test_builder_respects_visibility_and_drills(data, as_user):
    q = "?fact=order_lines&dims=year&measures=revenue&chart=bar"
    admin = as_user(data.admin).get("/analytics/reports/" + q)
    assert [r[1] for r in admin.context["result"].rows] == [11000.0]
    rep = as_user(data.rep).get("/analytics/reports/" + q)
    assert [r[1] for r in rep.context["result"].rows] == [1000.0]  # only the rep's own order
    assert (
        "dims=month" in admin.context["drill"]["2025"]
        and "f_year=2025" in admin.context["drill"]["2025"]
    )
    assert (
        as_user(data.admin).get("/analytics/reports/" + q + "&export=csv")["Content-Type"]
        == "text/csv"
    )
    assert as_user(data.admin).get("/analytics/reports/" + q + "&export=xlsx").status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"fact": "order_lines", "dims": ["year; DROP TABLE fact_order"], "measures": ["revenue"]},
        {"fact": "order_lines", "dims": ["year"], "measures": ["sum(net_amount)"]},
        {"fact": "fact_order_line", "dims": [], "measures": ["revenue"]},
        {
            "fact": "order_lines",
            "dims": ["year"],
            "measures": ["revenue"],
            "filters": {"1=1 OR x": "y"},
        },
    ],
)
def test_builder_rejects_hostile_names(bad):
    with pytest.raises(ValidationError):
        reports.Spec.parse(bad)


def test_hostile_filter_value_is_a_parameter(data):
    spec = reports.Spec.parse({"fact": "orders", "dims": ["channel"], "measures": ["orders"],
                               "filters": {"channel": "store' OR '1'='1"}})  # fmt: skip
    sql, params = reports.build_sql(spec, None)
    assert "OR '1'='1" not in sql and params == ["store' OR '1'='1"]
    assert reports.run(spec, None).rows == []


@pytest.mark.parametrize("fmt,mime", [("csv", "text/csv"), ("pdf", "application/pdf")])
def test_scheduled_report_email(data, fmt, mime):
    report = Report.objects.create(
        name="Monthly revenue", owner=data.admin, frequency="daily", send_format=fmt,
        recipients="boss@example.test", next_send_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        spec={"fact": "orders", "dims": ["month"], "measures": ["revenue"]},
    )  # fmt: skip
    assert delivery.send_due() == 1
    name, body, sent_mime = mail.outbox[0].attachments[0]
    assert sent_mime == mime and name.endswith(fmt)
    if fmt == "csv":
        assert "2025-02" in body.decode() if isinstance(body, bytes) else "2025-02" in body
    else:
        assert body[:4] == b"%PDF"
    report.refresh_from_db()
    assert report.next_send_at > report.last_sent_at
    assert delivery.send_due() == 0


def test_save_and_share_report(data, as_user):
    r = as_user(data.admin).post("/analytics/reports/save/", {
        "q": "fact=orders&dims=month&measures=revenue", "name": "Shared", "shared_with": [data.rep.role_id],
        "send_format": "csv"})  # fmt: skip
    assert r.status_code == 302
    report = Report.objects.get(name="Shared")
    assert report.spec["dims"] == ["month"]
    assert as_user(data.rep).get(f"/analytics/reports/{report.pk}/").status_code == 302
    assert (
        as_user(data.other_rep).get(f"/analytics/reports/{report.pk}/").status_code == 302
    )  # same role
    assert as_user(data.readonly).get(f"/analytics/reports/{report.pk}/").status_code in (403, 404)


def test_mart_status_and_export_are_admin_only(data, as_user):
    assert as_user(data.admin).get("/analytics/mart/").status_code == 200
    assert as_user(data.rep).get("/analytics/mart/").status_code == 403
    assert as_user(data.rep).get("/analytics/mart/export.zip").status_code == 403
    r = as_user(data.admin).get("/analytics/mart/export.zip")
    assert r.status_code == 200 and b"".join(r.streaming_content)[:2] == b"PK"
    r = as_user(data.admin).post("/analytics/mart/refresh/")
    assert r.status_code == 302 and mart.generation() == 2


def test_commerce_pages(data, as_user):
    from relasi.commerce.models import Order

    admin = as_user(data.admin)
    assert admin.get("/commerce/orders/").status_code == 200
    o = Order.objects.first()
    assert admin.get(f"/commerce/orders/{o.pk}/").status_code == 200
    assert admin.get("/commerce/stores/").status_code == 200
    rep = as_user(data.rep)
    other = Order.objects.get(owner=data.other_rep)
    assert rep.get(f"/commerce/orders/{other.pk}/").status_code == 404


def _json_script(response, element_id: str):
    import json
    import re

    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, element_id
    return json.loads(found.group(1))


def test_builder_chart_and_labels(data, as_user):
    q = "?fact=orders&dims=year&dims=channel&measures=revenue&chart=bar"
    r = as_user(data.admin).get("/analytics/reports/" + q)
    chart = _json_script(r, "builder-chart-data")
    assert isinstance(chart, dict) and chart["labels"] == [
        "2025"
    ]  # decoded once: a chart, not a string
    assert [s["label"] for s in chart["datasets"]] == ["Store"]  # the channel's label, not its code
    assert b'<th class="text-end">Store</th>' in r.content
    drill = as_user(data.admin).get("/analytics/reports/?fact=orders&dims=channel&measures=orders")
    assert b">Store</a>" in drill.content and "f_channel=store" in drill.context["drill"]["store"]


def test_dashboard_cards(data, as_user):
    from relasi.commerce.tests import factories as f

    p = f.product(category="Besar")
    f.order(owner_id=data.rep.pk, lines=[(p, 1, 123_456_789)])
    mart.refresh()
    r = as_user(data.admin).get("/analytics/?period=12m")
    cards = {str(c["kpi"].label): c for c in r.context["cards"]}
    revenue = cards["Revenue"]
    assert (
        revenue["value"].endswith("M")
        and revenue["exact"].replace(",", "").replace("\xa0", " ") == "IDR 123456789"
    )  # the exact amount in the panel
    assert cards["Customer retention rate"]["delta_unit"] == "pts"
    assert b"Formula" in r.content and b'class="stat text-nowrap"' in r.content


def test_mart_status_time_is_formatted(data, as_user):
    r = as_user(data.admin).get("/analytics/mart/")
    assert r.status_code == 200 and r.context["refreshed_at"] is not None
    assert b"+00:00" not in r.content
