"""The customer models end to end: refresh → ins_* tables → 360° header, cross-sell panels,
analytics pages, churn export and task assignment, event rules, API — with permissions and
record visibility (a rep sees only their own customers)."""

import datetime as dt

import pytest
from django.utils import timezone

from relasi.analytics import mart, monitoring
from relasi.analytics.models_insights import EventAlert, EventKind, EventRule, ModelRun
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(personas):
    """Fourteen customers of the rep (team A) and seven of the other rep (team B), bought over two
    years; products 1+2 go together; half of each group stopped buying a year ago."""
    today = timezone.localdate()
    p = [f.product(name=f"P{i}") for i in range(4)]
    mine, theirs = [], []
    for i in range(21):
        owner = personas.rep if i < 14 else personas.other_rep
        c = f.customer(name=f"Cust {i:02d}", owner=owner, team=owner.team)
        (mine if i < 14 else theirs).append(c)
        stop = 400 if i % 2 else 0
        for k in range(4 + i % 4):
            day = today - dt.timedelta(days=stop + 25 * k + i)
            f.order(customer_id=c.pk, day=day, owner_id=owner.pk,
                    lines=[(p[0], 1, 100_000, 60_000), (p[1], 1, 50_000, 30_000)]
                    if k % 2 == 0 else [(p[2 + i % 2], 1, 80_000, 50_000)])  # fmt: skip
    log = mart.refresh(trigger="test")
    assert log.status == "succeeded"
    return {"mine": mine, "theirs": theirs, "products": p}


def test_refresh_builds_every_model(shop):
    counts = dict(mart.query(
        "SELECT 'rfm', count(*) FROM ins_rfm UNION ALL SELECT 'clv', count(*) FROM ins_clv "
        "UNION ALL SELECT 'churn', count(*) FROM ins_churn UNION ALL "
        "SELECT 'rules', count(*) FROM ins_basket_rules WHERE lift > 1"))  # fmt: skip
    assert counts["rfm"] == 21 and counts["clv"] == 21
    assert counts["churn"] > 0 and counts["rules"] > 0
    kinds = set(ModelRun.objects.values_list("kind", flat=True))
    assert {"clv", "churn", "basket"} <= kinds
    clv_run = ModelRun.objects.get(kind="clv")
    assert set(clv_run.params["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert (
        "converged" in clv_run.quality["bgnbd"] and clv_run.quality["bgnbd"]["log_likelihood"] < 0
    )


def test_360_header_shows_segment_clv_p_alive_and_churn(shop, personas, as_user):
    c = shop["mine"][0]  # still buying: in the churn population
    html = as_user(personas.rep).get(c.get_absolute_url()).content.decode()
    row = mart.query("SELECT segment FROM ins_rfm WHERE customer_key = ?", [c.pk])[0][0]
    from relasi.analytics.rfm import LABELS

    assert str(LABELS[row]) in html
    assert "P(alive)" in html and 'id="churn-risk"' in html
    assert "cross-sell" in html  # the panel renders (suggestions or the empty note)


def test_cross_sell_suggests_the_companion_product(shop):
    from relasi.analytics import insights_hooks

    p0, p1 = shop["products"][:2]
    got = insights_hooks._suggest([p0.pk])
    assert got and got[0]["product_key"] == p1.pk and got[0]["lift"] >= 1


PAGES = ["rfm", "clv", "churn", "cohorts", "profitability", "basket", "events"]


def test_pages_render_for_admin_and_rep(shop, personas, as_user):
    for page in PAGES:
        for user in (personas.admin, personas.rep):
            r = as_user(user).get(f"/analytics/customers/{page}/")
            assert r.status_code == 200, (user, page)
        r = as_user(personas.admin).get(f"/analytics/customers/{page}/?period=12m&channel=store")
        assert r.status_code == 200, page
    c12 = as_user(personas.admin).get("/analytics/customers/clv/").context["dist"]["total"]
    c36 = (
        as_user(personas.admin).get("/analytics/customers/clv/?months=36").context["dist"]["total"]
    )
    assert c36 > c12 > 0  # a longer horizon is worth more
    rfm_page = as_user(personas.admin).get("/analytics/customers/rfm/?segment=champions")
    assert b'id="segment-table"' in rfm_page.content


def test_pages_need_the_analytics_permission(shop, personas, as_user):
    # the read-only role has no analytics module
    assert as_user(personas.readonly).get("/analytics/customers/rfm/").status_code == 403
    assert as_user(None).get("/analytics/customers/rfm/").status_code in (302, 403)


def test_churn_list_export_and_api_respect_visibility(shop, personas, as_user):
    theirs = {c.pk for c in shop["theirs"]}
    mine = {c.pk for c in shop["mine"]}
    html = as_user(personas.rep).get("/analytics/customers/churn/?min_risk=0").content.decode()
    assert not [c for c in shop["theirs"] if f">{c.name}<" in html]
    assert [c for c in shop["mine"] if f">{c.name}<" in html]
    csv = b"".join(as_user(personas.rep).get(
        "/analytics/customers/churn/export.csv?min_risk=0").streaming_content).decode()  # fmt: skip
    ids = {int(line.split(",")[0]) for line in csv.splitlines()[1:] if line}
    assert ids and ids <= mine and not ids & theirs
    api = as_user(personas.rep).get("/api/v1/analytics/insights/churn?min_risk=0&limit=500").json()
    assert {r["customer_id"] for r in api} <= mine
    admin_api = (
        as_user(personas.admin).get("/api/v1/analytics/insights/churn?min_risk=0&limit=500").json()
    )
    assert {r["customer_id"] for r in admin_api} & theirs
    # a customer of the other team is a 404 in the API
    other = shop["theirs"][0]
    assert (
        as_user(personas.rep).get(f"/api/v1/analytics/insights/customers/{other.pk}").status_code
        == 404
    )
    xlsx = as_user(personas.rep).get("/analytics/customers/churn/export.xlsx?min_risk=0")
    assert xlsx.status_code == 200


def test_assign_churn_tasks_to_owners(shop, personas, as_user):
    from relasi.activities.models import Activity

    targets = [c.pk for c in shop["mine"][:3]] + [shop["theirs"][1].pk]  # one not visible
    rows = {r[0] for r in mart.query("SELECT customer_key FROM ins_churn")}
    targets = [t for t in targets if t in rows]
    r = as_user(personas.manager).post("/analytics/customers/churn/assign/",
                                       {"customer": targets, "due_days": "2"})  # fmt: skip
    assert r.status_code == 302
    made = Activity.objects.filter(title__startswith="Churn risk follow-up")
    assert made.count() == len([t for t in targets if t not in {c.pk for c in shop["theirs"]}])
    assert all(a.owner_id == personas.rep.pk for a in made)
    as_user(personas.manager).post("/analytics/customers/churn/assign/", {"customer": targets})
    assert Activity.objects.filter(title__startswith="Churn risk follow-up").count() == made.count()


def test_event_rules_fire_once_notify_and_reach_the_timeline(shop, personas, as_user):
    from relasi.activities.models import Notification

    top = shop["mine"][4]
    spend = mart.query("SELECT revenue FROM agg_customer WHERE customer_key = ?", [top.pk])[0][0]
    rule = EventRule.objects.create(name="Big spender", kind=EventKind.SPEND_PASSES,
                                    amount=spend - 1)  # fmt: skip
    EventRule.objects.create(name="Fading", kind=EventKind.P_ALIVE_BELOW, amount=2)  # everyone
    first = monitoring.evaluate()
    assert first > 1
    assert EventAlert.objects.filter(rule=rule).count() >= 1
    assert monitoring.evaluate() == 0  # idempotent
    mart.refresh(trigger="test")  # the post-refresh evaluation does not repeat them either
    assert EventAlert.objects.filter(rule=rule, customer=top).count() == 1
    assert Notification.objects.filter(user=personas.rep, kind="insight_event").exists()
    html = as_user(personas.rep).get(top.get_absolute_url()).content.decode()
    assert "Big spender" in html
    page = as_user(personas.admin).get("/analytics/customers/events/").content.decode()
    assert "Big spender" in page


def test_event_rule_admin_only(shop, personas, as_user):
    data = {"name": "VIP quiet", "kind": "vip_inactive", "amount": "0", "days": "30",
            "vip_tag": "vip", "segment": "", "active": "on", "notify_owner": "on"}  # fmt: skip
    assert as_user(personas.rep).post("/analytics/customers/events/", data).status_code == 403
    assert as_user(personas.admin).post("/analytics/customers/events/", data).status_code == 302
    assert EventRule.objects.filter(name="VIP quiet").exists()


def test_cost_rates_change_the_profit_ranking(shop, personas, as_user):
    r = as_user(personas.admin).post("/analytics/customers/profitability/",
                                     {"call": "5000", "visit": "150000", "ticket": "25000",
                                      "campaign_message": "300"})  # fmt: skip
    assert r.status_code == 302
    from relasi.analytics.insights_actions import cost_rates

    assert cost_rates()["visit"] == 150000
    assert as_user(personas.rep).post("/analytics/customers/profitability/",
                                      {"call": "1"}).status_code == 403  # fmt: skip


def test_api_endpoints(shop, personas, as_user):
    c = as_user(personas.admin)
    segs = c.get("/api/v1/analytics/insights/segments").json()
    assert sum(s["customers"] for s in segs) == 21
    mine = shop["mine"][0]
    scores = c.get(f"/api/v1/analytics/insights/customers/{mine.pk}").json()
    assert scores["rfm"]["segment"] and 0 <= scores["p_alive"] <= 1
    assert c.get("/api/v1/analytics/insights/clv").json()["params"]["bgnbd"]["r"] > 0
    rules = c.get("/api/v1/analytics/insights/rules?limit=5").json()
    assert rules and all(r["lift"] > 1 for r in rules)
    sell = c.get(f"/api/v1/analytics/insights/customers/{shop['mine'][3].pk}/cross-sell").json()
    assert isinstance(sell, list)
    assert as_user(personas.readonly).get("/api/v1/analytics/insights/segments").status_code == 403
    rep_segs = as_user(personas.rep).get("/api/v1/analytics/insights/segments").json()
    assert sum(s["customers"] for s in rep_segs) == 14


def test_vip_and_segment_rules(shop, personas):
    from relasi.analytics.models_insights import EventAlert

    quiet = shop["mine"][1]  # stopped about 400 days ago
    from relasi.core.models import Tag

    quiet.tags.add(Tag.objects.get_or_create(name="vip")[0])
    mart.refresh(trigger="test")  # the tag reaches dim_customer
    vip = EventRule.objects.create(name="VIP quiet", kind=EventKind.VIP_INACTIVE, days=300,
                                   vip_tag="vip")  # fmt: skip
    busy_vip = shop["mine"][0]
    busy_vip.tags.add(Tag.objects.get(name="vip"))
    seg = mart.query("SELECT segment FROM ins_rfm_monthly ORDER BY month DESC LIMIT 1")[0][0]
    shrink = EventRule.objects.create(name="Shrink", kind=EventKind.SEGMENT_SHRINKS,
                                      amount=-1000, segment=seg)  # any change fires  # fmt: skip
    monitoring.evaluate()
    assert list(EventAlert.objects.filter(rule=vip).values_list("customer_id", flat=True)) == [
        quiet.pk
    ]
    assert EventAlert.objects.filter(rule=shrink, customer=None).count() == 1
    monitoring.evaluate()
    assert EventAlert.objects.filter(rule__in=[vip, shrink]).count() == 2


def test_churn_page_and_api_query_counts(shop, personas, as_user, django_assert_max_num_queries):
    client = as_user(personas.rep)
    client.get("/analytics/customers/churn/")  # warm caches (session, permissions)
    with django_assert_max_num_queries(12):
        assert client.get("/analytics/customers/churn/?min_risk=0").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/analytics/insights/churn?min_risk=0").status_code == 200


def test_event_notifications_are_in_each_recipients_language(shop, personas):
    """The worker runs in the installation's language; the rep reads Indonesian, and the alert's
    own record stays in the installation's language (English in the tests)."""
    from relasi.activities.models import Notification

    personas.rep.language = "id"
    personas.rep.save(update_fields=["language"])
    top = shop["mine"][4]
    spend = mart.query("SELECT revenue FROM agg_customer WHERE customer_key = ?", [top.pk])[0][0]
    rule = EventRule.objects.create(
        name="Big spender", kind=EventKind.SPEND_PASSES, amount=spend - 1
    )
    monitoring.evaluate()
    note = Notification.objects.get(
        user=personas.rep, kind="insight_event", url=top.get_absolute_url()
    )
    assert "Total belanja melewati Rp" in note.text, note.text
    assert EventAlert.objects.get(rule=rule, customer=top).message.startswith(
        "Total spend passed IDR"
    )
