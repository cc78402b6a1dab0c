import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relasi.conversations import actions
from relasi.conversations.choices import ConversationStatus, Direction
from relasi.conversations.tests.factories import inbound, inbox
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(personas):
    """A conversation assigned to the rep, one to the other team's rep, one nobody has."""
    box = inbox()
    a = inbound(box, "siti@contoh.test", "Stok ada?", subject="Stok").conversation
    actions.assign(personas.admin, a, personas.rep)
    b = inbound(box, "budi@contoh.test", "Harga?").conversation
    actions.assign(personas.admin, b, personas.other_rep)
    c = inbound(box, "dewi@contoh.test", "Halo").conversation
    a.refresh_from_db()
    return a, b, c


def test_a_rep_sees_only_their_conversations_and_others_are_404(personas, mine):
    a, b, _c = mine
    client = client_for(personas.rep)
    page = client.get("/conversations/").content.decode()
    assert "Stok ada?" in page and "Harga?" not in page
    assert client.get(f"/conversations/{a.pk}/").status_code == 200
    assert client.get(f"/conversations/{b.pk}/").status_code == 404
    assert client.post(f"/conversations/{b.pk}/reply/", {"body": "x"}).status_code == 404


def test_roles_without_the_module_get_403(personas, mine):
    a, _b, _c = mine
    client = client_for(personas.readonly)
    assert client.get("/conversations/").status_code == 403
    assert client.get(f"/conversations/{a.pk}/").status_code == 403


def test_filters_unassigned_and_waiting(personas, mine):
    a, b, c = mine
    client = client_for(personas.admin)
    page = client.get("/conversations/", {"assignee": "none"}).content.decode()
    assert f'data-conversation="{c.pk}"' in page and f'data-conversation="{a.pk}"' not in page
    actions.reply(personas.admin, b, "Rp 50.000")
    page = client.get("/conversations/", {"waiting": "true"}).content.decode()
    assert f'data-conversation="{b.pk}"' not in page and f'data-conversation="{a.pk}"' in page
    partial = client.get("/conversations/", {"q": "dewi"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and f'data-conversation="{c.pk}"' in body


def test_the_inbox_costs_the_same_queries_for_3_or_30_conversations(personas):
    box = inbox("whatsapp")
    client = client_for(personas.admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/conversations/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        inbound(box, f"+62812000000{i:02d}", external_id=f"w{i}")
    few = count()
    for i in range(3, 30):
        inbound(box, f"+62812000000{i:02d}", external_id=f"w{i}")
    assert count() == few


def test_reply_with_an_attachment_from_the_page(personas, mine, django_capture_on_commit_callbacks):
    a, _b, _c = mine
    client = client_for(personas.rep)
    upload = SimpleUploadedFile("harga.pdf", b"%PDF-1.4 price list", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/conversations/{a.pk}/reply/",
            {"body": "Terlampir daftar harga", "version": a.version, "files": upload},
        )
    assert r.status_code == 302
    (sent,) = mail.outbox
    assert sent.attachments[0][0] == "harga.pdf"
    out = a.messages.get(direction=Direction.OUTBOUND)
    att = out.attachments.get()
    assert client.get(f"/conversations/attachments/{att.pk}/").status_code == 200
    assert (
        client_for(personas.other_rep).get(f"/conversations/attachments/{att.pk}/").status_code
        == 404
    )


def test_a_stale_reply_is_refused_not_sent(personas, mine):
    a, _b, _c = mine
    client = client_for(personas.rep)
    opened_at = a.version  # the rep opened the page
    actions.reply(personas.admin, a, "Sudah dijawab")  # bumps the version
    r = client.post(
        f"/conversations/{a.pk}/reply/", {"body": "Jawaban kedua", "version": opened_at}
    )
    assert r.status_code == 302
    assert a.messages.filter(direction=Direction.OUTBOUND).count() == 1


def test_a_blocked_reply_shows_why(personas, mine):
    from relasi.privacy import suppression

    a, _b, _c = mine
    suppression.suppress("email", "siti@contoh.test", "bounced")
    page = client_for(personas.rep).get(f"/conversations/{a.pk}/").content.decode()
    assert 'id="reply-blocked"' in page and "suppression list" in page


def test_close_assign_and_ticket_from_the_page(personas, mine):
    from relasi.service.models import TicketType

    TicketType.objects.get_or_create(name="Question", defaults={"name_id": "Pertanyaan"})
    a, _b, _c = mine
    person(personas.rep, "Siti", "Rahayu", emails=["siti@contoh.test"])
    client = client_for(personas.admin)
    actions.link_customer(personas.admin, a, person(personas.admin, "Sinta", "X", emails=[]))
    a.refresh_from_db()
    r = client.post(f"/conversations/{a.pk}/ticket/")
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.ticket is not None
    r = client.post(f"/conversations/{a.pk}/status/", {"status": "closed", "version": a.version})
    a.refresh_from_db()
    assert a.status == ConversationStatus.CLOSED
    r = client.post(f"/conversations/{a.pk}/assign/", {"owner": personas.teammate.pk})
    a.refresh_from_db()
    assert a.owner == personas.teammate


def test_the_page_in_indonesian(personas, mine):
    a, _b, _c = mine
    client = client_for(personas.rep)
    client.cookies["django_language"] = "id"
    page = client.get(f"/conversations/{a.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Catatan internal" in page and "Kirim" in page


def test_an_administrator_sets_up_an_inbox_and_secrets_stay_sealed(personas):
    from relasi.conversations.models import Inbox
    from relasi.core.models import AuditEvent

    client = client_for(personas.admin)
    data = {
        "name": "WhatsApp toko",
        "kind": "whatsapp",
        "address": "+6281100000009",
        "unknown_sender": "contact",
        "language": "id",
        "first_response_minutes": 30,
        "resolution_minutes": 600,
        "active": "on",
        "cfg_phone_number_id": "1234567890",
        "secret_access_token": "EAAG-secret-token",
        "secret_app_secret": "app-secret-1",
    }
    r = client.post("/conversations/settings/inboxes/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    box = Inbox.objects.get()
    assert box.config == {"phone_number_id": "1234567890"}
    assert box.secret("access_token") == "EAAG-secret-token"
    assert "EAAG-secret-token" not in box.sealed_secrets
    page = client.get(f"/conversations/settings/inboxes/{box.pk}/edit/").content.decode()
    assert "EAAG-secret-token" not in page and "app-secret-1" not in page
    # An empty secret field keeps the stored secret.
    r = client.post(
        f"/conversations/settings/inboxes/{box.pk}/edit/",
        {**data, "secret_access_token": "", "version": 1},
    )
    box.refresh_from_db()
    assert box.secret("access_token") == "EAAG-secret-token"
    assert not AuditEvent.objects.filter(changes__icontains="EAAG").exists()
    assert client_for(personas.rep).get("/conversations/settings/inboxes/").status_code == 403


def test_link_a_stranger_to_a_customer_found_by_search(personas):
    box = inbox("webchat", address="tokoxyz.test")
    conv = inbound(box, "visitor-9", "Halo").conversation
    siti = person(personas.admin, "Siti", "Rahayu", emails=["siti@contoh.test"])
    client = client_for(personas.admin)
    page = client.get(f"/conversations/{conv.pk}/").content.decode()
    assert "Website visitor" in page
    hits = client.get("/conversations/pick/customer/", {"q": "Siti"}).content.decode()
    assert f'data-pick-customer="{siti.pk}"' in hits
    r = client.post(f"/conversations/{conv.pk}/customer/", {"customer_id": siti.pk})
    assert r.status_code == 302
    conv.refresh_from_db()
    assert conv.customer == siti
    # Someone who cannot see the customer cannot link to it (404, not a leak).
    other = person(personas.other_rep, "Rahasia", "Orang", emails=[])
    r = client_for(personas.rep).post(
        f"/conversations/{conv.pk}/customer/", {"customer_id": other.pk}
    )
    assert r.status_code == 404


def test_the_service_dashboard_shows_conversation_kpis(personas):
    import datetime as dt

    from django.utils import timezone

    from relasi.conversations.kpis import conversation_kpis

    box = inbox("webchat", address="tokoxyz.test", first_response_minutes=1)
    late = inbound(box, "visitor-1", "Halo").conversation
    on_time = inbound(box, "visitor-2", "Halo").conversation
    from relasi.conversations.models import Conversation

    now = timezone.now()
    Conversation.objects.filter(pk=late.pk).update(first_response_due=now - dt.timedelta(hours=1))
    Conversation.objects.filter(pk=on_time.pk).update(
        first_response_due=now + dt.timedelta(hours=1)
    )
    for conv in (late, on_time):
        conv.refresh_from_db()
        actions.reply(personas.admin, conv, "Halo juga")
    today = timezone.localdate()
    k = conversation_kpis(today, today)
    assert k["first_response_met"] == {"met": 1, "total": 2, "percent": 50.0}
    assert k["answered"] == 2 and k["waiting_now"] == 0
    page = client_for(personas.admin).get("/service/dashboard/").content.decode()
    assert 'id="conversation-kpis"' in page
    assert (
        'id="conversation-kpis"'
        not in client_for(personas.readonly).get("/service/dashboard/").content.decode()
    )
