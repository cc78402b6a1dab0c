"""The customer portal: magic-link sign-in (single use, expiring, no enumeration, rate limited),
a session separate from staff logins, and strict isolation between customers (IDOR on
tickets, replies and files)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from relasi.service import actions
from relasi.service.models import Ticket, TicketMessage
from relasi.service.tests.factories import ticket, ttype
from relasi.service.views.portal import LINK_PER_EMAIL, LINK_PER_IP

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _request_link(client: Client, email: str):
    mail.outbox.clear()
    return client.post("/portal/login/", {"email": email})


def _token() -> str:
    (message,) = mail.outbox
    return re.search(r"/portal/login/([\w-]+)/", message.body).group(1)


def signed_in(email: str) -> Client:
    client = Client()
    _request_link(client, email)
    response = client.post(f"/portal/login/{_token()}/")
    assert response.status_code == 302 and response.url == "/portal/"
    return client


def test_magic_link_signs_in_once(world):
    client = Client()
    assert client.get("/portal/").status_code == 302  # sign in first
    response = _request_link(client, "SITI.Rahayu@example.test ")
    assert response.status_code == 200 and len(mail.outbox) == 1
    token = _token()
    url = f"/portal/login/{token}/"
    assert client.get(url).status_code == 200  # looking at the link does not use it
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    home = client.get("/portal/")
    assert home.status_code == 200 and "Siti Rahayu" in home.content.decode()
    other = Client()
    assert other.post(url).status_code == 400  # used
    assert other.get(url).status_code == 400


def test_magic_link_expires(world):
    _request_link(Client(), "siti.rahayu@example.test")
    token = _token()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert Client().post(f"/portal/login/{token}/").status_code == 400
    assert Client().post("/portal/login/made-up-token/").status_code == 400


def test_unknown_address_gets_the_same_answer_and_no_mail(world):
    known = _request_link(Client(), "siti.rahayu@example.test")
    assert len(mail.outbox) == 1
    unknown = _request_link(Client(), "nobody@example.test")
    assert len(mail.outbox) == 0
    assert known.status_code == unknown.status_code == 200

    def normalised(response, email):
        html = response.content.decode().replace(email, "EMAIL")
        return re.sub(r'(value|nonce)="[^"]+"', "", html)  # per-request CSRF token and CSP nonce

    assert normalised(known, "siti.rahayu@example.test") == normalised(
        unknown, "nobody@example.test"
    )


def test_link_requests_are_rate_limited(world):
    client = Client()
    for _i in range(LINK_PER_EMAIL.limit):
        assert _request_link(client, "siti.rahayu@example.test").status_code == 200
    blocked = _request_link(client, "siti.rahayu@example.test")
    assert blocked.status_code == 429 and blocked["Retry-After"] and not mail.outbox
    for i in range(LINK_PER_IP.limit - LINK_PER_EMAIL.limit):
        _request_link(client, f"someone{i}@example.test")
    assert _request_link(client, "fresh@example.test").status_code == 429  # per address too
    assert client.post("/portal/login/", {"email": "not an e-mail"}).status_code in (400, 429)


def test_portal_session_is_not_a_staff_login_and_times_out(world):
    client = signed_in("siti.rahayu@example.test")
    staff = client.get("/service/tickets/")
    assert staff.status_code == 302 and staff.url.startswith("/accounts/login/")
    assert client.get("/api/v1/service/tickets").status_code == 401
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        expired = client.get("/portal/")
        assert expired.status_code == 302 and "/portal/login/" in expired.url
    client = signed_in("siti.rahayu@example.test")
    client.post("/portal/logout/")
    assert client.get("/portal/").status_code == 302


def test_customer_opens_and_follows_a_ticket(world):
    client = signed_in("siti.rahayu@example.test")
    mail.outbox.clear()
    response = client.post(
        "/portal/new/",
        {
            "ticket_type": ttype("warranty").pk,
            "subject": "Kipas angin mati",
            "description": "Tidak berputar sejak kemarin.",
            "attachment": SimpleUploadedFile("foto.png", PNG),
        },
    )
    assert response.status_code == 302
    t = Ticket.objects.get(subject="Kipas angin mati")
    assert t.customer == world.cust_a and t.channel == "portal" and t.queue == world.qa
    assert t.owner in (world.a1, world.a2) and any(t.number in m.subject for m in mail.outbox)
    page = client.get(f"/portal/tickets/{t.pk}/").content.decode()
    assert "Kipas angin mati" in page and "foto.png" in page
    actions.add_note(world.a1, t, "CATATAN INTERNAL rahasia")
    actions.add_reply(world.a1, t, "Kami jadwalkan teknisi.")
    page = client.get(f"/portal/tickets/{t.pk}/").content.decode()
    assert "Kami jadwalkan teknisi." in page and "CATATAN INTERNAL" not in page
    actions.change_status(world.a1, t, "resolved")
    assert client.post(f"/portal/tickets/{t.pk}/", {"body": "Masih mati"}).status_code == 302
    t.refresh_from_db()
    assert t.status == "reopened" and t.messages.filter(kind="customer", body="Masih mati").exists()
    home = client.get("/portal/").content.decode()
    assert t.number in home


def test_a_customer_never_sees_another_customers_data(world):
    mine = ticket(world.p.admin, world.cust_a, subject="Punya Siti")
    theirs = ticket(world.p.admin, world.cust_b, subject="Punya Budi")
    my_file = actions.add_attachment(
        world.a1, mine, SimpleUploadedFile("siti.png", PNG), public=True
    )
    my_internal = actions.add_attachment(world.a1, mine, SimpleUploadedFile("internal.png", PNG))
    their_file = actions.add_attachment(
        world.b1, theirs, SimpleUploadedFile("budi.png", PNG), public=True
    )
    client = signed_in("siti.rahayu@example.test")
    assert "Punya Budi" not in client.get("/portal/").content.decode()
    assert client.get(f"/portal/tickets/{theirs.pk}/").status_code == 404
    assert client.post(f"/portal/tickets/{theirs.pk}/", {"body": "injected"}).status_code == 404
    assert not TicketMessage.objects.filter(body="injected").exists()
    assert client.get(f"/portal/files/{their_file.pk}/").status_code == 404
    assert client.get(f"/portal/files/{my_internal.pk}/").status_code == 404
    assert client.get("/portal/tickets/999999/").status_code == 404
    own = client.get(f"/portal/files/{my_file.pk}/")
    assert own.status_code == 200 and own["Content-Disposition"].startswith("attachment")
    assert own["X-Content-Type-Options"] == "nosniff" and "no-store" in own["Cache-Control"]
    assert client.get(f"/service/files/{their_file.pk}/").status_code == 302  # staff URL: login


def test_merged_ticket_takes_no_replies(world):
    target = ticket(world.p.admin, world.cust_a)
    dup = ticket(world.p.admin, world.cust_a)
    actions.merge_tickets(world.a1, target, [dup])
    client = signed_in("siti.rahayu@example.test")
    page = client.get(f"/portal/tickets/{dup.pk}/").content.decode()
    assert target.number in page
    assert client.post(f"/portal/tickets/{dup.pk}/", {"body": "halo"}).status_code == 400
