"""Staff pages: who sees which ticket (team visibility for agents, 404 outside it), the ticket
page's actions, configuration pages, exports and query counts that do not grow with rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relasi.service import actions
from relasi.service.models import (
    BusinessHours,
    CannedReply,
    DialogueScript,
    Holiday,
    Queue,
    Ticket,
    TicketMessage,
)
from relasi.service.tests.factories import ticket, ttype

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture
def two(world):
    ta = ticket(world.p.admin, world.cust_a, subject="Team A ticket")
    tb = ticket(
        world.p.admin, world.cust_b, subject="Team B ticket", queue=world.qb, owner=world.b1
    )
    assert ta.team == world.p.team_a and tb.team == world.p.team_b
    return world, ta, tb


@pytest.mark.parametrize(
    "who, sees_a, sees_b",
    [
        ("admin", True, True),
        ("manager", True, False),  # tickets of the agents reporting to the manager
        ("a1", True, False),  # team visibility for service agents
        ("a2", True, False),
        ("b1", False, True),
        ("readonly", True, False),
        ("rep", False, False),  # sales: own records only
        ("other_rep", False, False),
    ],
)
def test_visibility_matrix(two, as_user, who, sees_a, sees_b):
    world, ta, tb = two
    user = getattr(world, who, None) or getattr(world.p, who)
    client = as_user(user)
    assert client.get(f"/service/tickets/{ta.pk}/").status_code == (200 if sees_a else 404)
    assert client.get(f"/service/tickets/{tb.pk}/").status_code == (200 if sees_b else 404)
    listing = client.get("/service/tickets/").content.decode()
    assert ("Team A ticket" in listing) == sees_a and ("Team B ticket" in listing) == sees_b
    api = client.get(f"/api/v1/service/tickets/{tb.pk}")
    assert api.status_code == (200 if sees_b else 404)


def test_readonly_may_look_but_not_touch(two, as_user):
    world, ta, _tb = two
    client = as_user(world.p.readonly)
    assert client.get("/service/tickets/new/").status_code == 403
    assert (
        client.post(f"/service/tickets/{ta.pk}/reply/", {"kind": "reply", "body": "x"}).status_code
        == 403
    )
    assert client.post(f"/service/tickets/{ta.pk}/status/", {"status": "open"}).status_code == 403
    assert not TicketMessage.objects.filter(ticket=ta).exists()


def test_outsiders_cannot_act_on_invisible_tickets(two, as_user):
    world, _ta, tb = two
    client = as_user(world.a1)
    for path, data in (
        ("reply", {"kind": "reply", "body": "x"}),
        ("status", {"status": "open"}),
        ("assign", {"me": "1"}),
        ("merge", {"numbers": tb.number}),
        ("fcr", {"value": "yes"}),
    ):
        assert client.post(f"/service/tickets/{tb.pk}/{path}/", data).status_code == 404, path
    ta = Ticket.objects.get(subject="Team A ticket")
    client.post(f"/service/tickets/{ta.pk}/merge/", {"numbers": tb.number})
    tb.refresh_from_db()
    assert tb.merged_into is None  # another team's ticket cannot be merged in by number


def test_create_through_the_form_routes_and_checks_the_customer(world, as_user):
    client = as_user(world.a1)
    data = {
        "ticket_type": ttype("complaint").pk,
        "channel": "walk_in",
        "subject": "Setrika rusak",
        "priority": "normal",
        "description": "Mati total",
    }
    response = client.post(
        "/service/tickets/new/",
        {**data, "customer_id": world.cust_a.pk, "attachment": SimpleUploadedFile("nota.png", PNG)},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    t = Ticket.objects.get(subject="Setrika rusak")
    assert t.queue == world.qa and t.owner in (world.a1, world.a2) and t.attachments.get().public
    hidden = client.post("/service/tickets/new/", {**data, "customer_id": world.cust_b.pk})
    assert hidden.status_code == 400 and Ticket.objects.count() == 1
    picker = client.get("/service/pick/customer/", {"q": "Siti"}).content.decode()
    assert f'data-pick-customer="{world.cust_a.pk}"' in picker and "Budi" not in picker


def test_ticket_page_actions(two, as_user):
    world, ta, _tb = two
    client = as_user(world.a1)
    url = f"/service/tickets/{ta.pk}/"
    assert (
        client.post(
            url + "reply/", {"kind": "reply", "body": "Halo", "send_email": "on"}
        ).status_code
        == 302
    )
    assert client.post(url + "reply/", {"kind": "note", "body": "Catatan"}).status_code == 302
    assert (
        client.post(url + "customer-message/", {"body": "Pelanggan menelepon"}).status_code == 302
    )
    ta.refresh_from_db()
    assert ta.status == "open" and ta.messages.count() == 3
    assert client.post(url + "status/", {"status": "bogus"}).status_code == 302
    client.post(url + "status/", {"status": "pending", "version": ta.version})
    ta.refresh_from_db()
    assert ta.status == "pending"
    client.post(url + "status/", {"status": "open", "version": ta.version - 1})
    ta.refresh_from_db()
    assert ta.status == "pending"  # a stale version changes nothing
    client.post(url + "assign/", {"me": "1"})
    ta.refresh_from_db()
    assert ta.owner == world.a1
    client.post(url + "fcr/", {"value": "no"})
    ta.refresh_from_db()
    assert ta.fcr is False and ta.fcr_manual
    client.post(url + "files/", {"file": SimpleUploadedFile("foto.png", PNG), "public": "1"})
    attachment = ta.attachments.get()
    download = client.get(f"/service/files/{attachment.pk}/")
    assert (
        download["Content-Disposition"].startswith("attachment")
        and download["X-Content-Type-Options"] == "nosniff"
    )
    client.post(url + "files/", {"file": SimpleUploadedFile("x.html", b"<script>")})
    assert ta.attachments.count() == 1  # refused by the upload checks
    other = ticket(world.p.admin, world.cust_a, subject="Duplikat")
    client.post(url + "relate/", {"numbers": other.number})
    assert list(actions.related_tickets(ta)) == [other]
    client.post(url + "merge/", {"numbers": other.number})
    other.refresh_from_db()
    assert other.merged_into_id == ta.pk
    note = ta.messages.get(body="Catatan")
    split = client.post(url + "split/", {"message": [note.pk], "subject": "Terpisah"})
    new = Ticket.objects.get(subject="Terpisah")
    assert split.url == new.get_absolute_url() and new.messages.filter(pk=note.pk).exists()
    page = client.get(url).content.decode()
    assert ta.number in page and "Pelanggan menelepon" in page


def test_complaint_script_and_canned_reply(world, as_user):
    t = ticket(world.p.admin, world.cust_a, type="complaint")
    client = as_user(world.a1)
    url = f"/service/tickets/{t.pk}/"
    client.post(
        url + "complaint/",
        {
            "root_cause": "delivery",
            "root_cause_detail": "Kurir",
            "resolution": "Voucher",
            "version": t.version,
        },
    )
    t.refresh_from_db()
    assert (t.root_cause, t.resolution) == ("delivery", "Voucher")
    from relasi.service.scripts import parse

    source = "start: Barang sampai?\n  - Ya -> END: Selesai\n  - Tidak -> END: Lacak resi\n"
    start, steps = parse(source)
    script = DialogueScript.objects.create(
        name="Pengiriman", source=source, steps=steps, start_step=start
    )
    client.post(url + "script/", {"script": script.pk})
    run = t.script_runs.get()
    fragment = client.post(
        url + f"script/{run.pk}/", {"option": "1", "note": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Lacak resi" in fragment.content.decode()
    canned = CannedReply.objects.create(
        title="Halo", body="Halo {customer_first_name}, tiket {ticket_number}"
    )
    text = client.get(url + f"canned/{canned.pk}/").content.decode()
    assert text == f"Halo Siti, tiket {t.number}"


def test_list_filters_export_and_complaint_pages(two, as_user):
    world, ta, _tb = two
    client = as_user(world.a1)
    assert ta.number in client.get("/service/tickets/", {"q": ta.number.lower()}).content.decode()
    assert "Team A ticket" in client.get("/service/tickets/", {"q": "team"}).content.decode()
    assert (
        client.get(
            "/service/tickets/", {"sla": "at_risk", "assigned": "me", "open": "true"}
        ).status_code
        == 200
    )
    export = client.get("/service/tickets/export/")
    assert export.status_code == 403  # agents may not export
    manager = as_user(world.p.manager)
    body = b"".join(manager.get("/service/tickets/export/").streaming_content).decode()
    assert ta.number in body and "<span" not in body
    complaint = ticket(world.p.admin, world.cust_a, type="complaint", subject="Keluhan kurir")
    listing = client.get("/service/complaints/").content.decode()
    assert "Keluhan kurir" in listing and "Team A ticket" not in listing
    month = complaint.created_at.strftime("%Y-%m")
    report = client.get("/service/complaints/report/", {"month": month})
    assert report.status_code == 200 and 'id="report-chart-data"' in report.content.decode()
    csv = manager.get("/service/complaints/report/", {"month": month, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert month in b"".join(csv.streaming_content).decode()
    assert (
        client.get("/service/complaints/report/", {"month": month, "format": "csv"}).status_code
        == 403
    )


def test_configuration_pages(world, as_user):
    admin = as_user(world.p.admin)
    response = admin.post(
        "/service/settings/hours/new/",
        {
            "name": "Toko",
            "timezone": "Asia/Jakarta",
            "day_0": "09:00-21:00",
            "day_5": "10:00-22:00, 23:00-24:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    hours = BusinessHours.objects.get(name="Toko")
    assert hours.hours == {"0": [[540, 1260]], "5": [[600, 1320], [1380, 1440]]}
    bad = admin.post(
        "/service/settings/hours/new/", {"name": "X", "timezone": "Mars/Base", "day_0": "9-5pm"}
    )
    assert bad.status_code == 400
    assert (
        admin.post(
            "/service/settings/holidays/new/",
            {"date": "2027-03-10", "name": "Idulfitri", "kind": "national", "confirmed": "on"},
        ).status_code
        == 302
    )
    assert Holiday.objects.filter(date="2027-03-10", name="Idulfitri").exists()
    assert (
        admin.post(
            "/service/settings/scripts/new/",
            {"name": "Rusak", "source": "start: Q\n  - A -> nowhere\n"},
        ).status_code
        == 400
    )
    assert admin.get("/service/settings/").status_code == 200
    for prefix in (
        "types",
        "categories",
        "queues",
        "routing",
        "hours",
        "holidays",
        "sla",
        "escalations",
        "canned",
        "scripts",
    ):
        assert admin.get(f"/service/settings/{prefix}/").status_code == 200, prefix
    agent = as_user(world.a1)
    assert agent.get("/service/settings/queues/").status_code == 403  # administrators only
    assert (
        agent.post("/service/settings/queues/new/", {"name": "X", "strategy": "manual"}).status_code
        == 403
    )
    assert not Queue.objects.filter(name="X").exists()
    canned = CannedReply.objects.create(title="Salam", body="Halo")
    assert agent.get(f"/service/settings/canned/{canned.pk}/").status_code == 200  # service module
    assert agent.get("/service/settings/").status_code == 200


def test_home_widget_and_alerts(two, as_user):
    _world, ta, _tb = two
    client = as_user(ta.owner)
    home = client.get("/").content.decode()
    assert "/service/tickets/?assigned=me" in home  # the "my open tickets" card
    actions.alert(ta.owner, ta, "Perhatian: tiket hampir telat")
    assert "hampir telat" in client.get("/service/alerts/").content.decode()
    client.post("/service/alerts/read/")
    assert not ta.owner.service_alerts.filter(read_at__isnull=True).exists()


def test_list_and_page_query_counts_do_not_grow(world, as_user, django_assert_max_num_queries):
    for i in range(3):
        ticket(world.p.admin, world.cust_a, subject=f"few {i}")
    client = as_user(world.a1)
    with django_assert_max_num_queries(30) as few:
        client.get(
            "/service/tickets/?cols=number,subject,customer,status,priority,sla,ticket_type,queue,owner,tags"
        )
    for i in range(25):
        ticket(world.p.admin, world.cust_a, subject=f"many {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(
            "/service/tickets/?cols=number,subject,customer,status,priority,sla,ticket_type,queue,owner,tags"
        )
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        client.get("/api/v1/service/tickets?limit=50")
    t = Ticket.objects.filter(owner=world.a1).first()
    with django_assert_max_num_queries(45):
        assert client.get(f"/service/tickets/{t.pk}/").status_code == 200


def test_global_search_finds_visible_tickets_and_articles(two, as_user):
    world, ta, tb = two
    actions.save_article(
        None,
        None,
        {"visibility": "internal", "status": "published"},
        {"id": {"title": "SOP garansi kipas", "body": "langkah"}},
    )
    client = as_user(world.a1)
    page = client.get("/search/", {"q": ta.number}).content.decode()
    assert ta.subject in page
    assert tb.subject not in client.get("/search/", {"q": tb.number}).content.decode()
    assert "SOP garansi kipas" in client.get("/search/", {"q": "garansi kipas"}).content.decode()
