"""The preference centre, one-click unsubscribe (RFC 8058) and keyword replies."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from relasi.customers.tests.factories import person
from relasi.privacy import consent, keywords, links, suppression
from relasi.privacy.models import ConsentEvent

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_preference_centre_shows_and_changes_consents(personas, client):
    c = person(personas.rep, "Sari", "Dewi", phones=["081234567890"], preferred_language="id")
    consent.record(None, c, "marketing", "email", "granted", source="import")
    url = _path(links.preferences_url(c))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Preferensi komunikasi Anda" in html  # her language
    assert 'name="marketing__email"' in html and "checked" in html
    assert 'name="marketing__post"' not in html  # no postal address, no post switch
    # turn e-mail offers off and WhatsApp offers on; keep service messages on
    data = {"marketing__whatsapp": "on", "service__email": "on", "service__whatsapp": "on",
            "service__sms": "on", "service__phone": "on", "profiling__email": "on",
            "profiling__whatsapp": "on", "profiling__sms": "on", "profiling__phone": "on"}  # fmt: skip
    assert client.post(url, data, REMOTE_ADDR="10.1.2.3").status_code == 302
    assert consent.current_status(c, "marketing", "email") == "withdrawn"
    assert consent.current_status(c, "marketing", "whatsapp") == "pending"  # awaits YA
    e = ConsentEvent.objects.filter(customer=c, channel="email").order_by("-id").first()
    assert e.source == "preference_centre" and e.ip_address == "10.1.2.3"
    assert consent.current_status(c, "service", "email") is None  # unchanged: nothing written
    # "unsubscribe from all offers"
    client.post(url, {"all": "off"})
    assert consent.current_status(c, "marketing", "whatsapp") == "withdrawn"
    assert consent.current_status(c, "service", "email") is None


def test_preference_links_are_signed_and_expire(personas, client):
    c = person(personas.rep)
    url = _path(links.preferences_url(c))
    assert client.get(url[:-5] + "xxxx/").status_code == 400
    with time_machine.travel(timezone.now() + dt.timedelta(days=181)):
        assert client.get(url).status_code == 400


def test_one_click_unsubscribe(personas, client):
    c = person(personas.rep)
    consent.record(None, c, "marketing", "email", "granted", source="import")
    headers = links.unsubscribe_headers(c, "marketing")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = _path(headers["List-Unsubscribe"].strip("<>"))
    assert client.get(url).status_code == 200  # a link scanner changes nothing
    assert consent.current_status(c, "marketing", "email") == "granted"
    # the mail client's POST carries no CSRF token (RFC 8058)
    csrf_client = type(client)(enforce_csrf_checks=True)
    r = csrf_client.post(url, "List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert r.status_code == 200
    assert consent.current_status(c, "marketing", "email") == "withdrawn"
    event = ConsentEvent.objects.filter(customer=c).order_by("-id").first()
    assert (event.source, event.evidence) == ("unsubscribe", "one-click")
    csrf_client.post(url, "List-Unsubscribe=One-Click",
                     content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert ConsentEvent.objects.filter(customer=c).count() == 2  # idempotent


def test_whatsapp_keywords(personas):
    c = person(personas.rep, phones=["081234567890"])
    consent.record(None, c, "marketing", "whatsapp", "granted", source="web_form")
    assert consent.current_status(c, "marketing", "whatsapp") == "pending"
    assert keywords.handle_reply("whatsapp", "+62 812-3456-7890", "ya, mau tanya harga").action == (
        "none"  # a sentence is a conversation, not a consent
    )
    r = keywords.handle_reply("whatsapp", "0812 3456 7890", "YA")
    assert r.action == "confirmed" and r.changed == 1 and "STOP" in r.reply
    assert consent.current_status(c, "marketing", "whatsapp") == "granted"
    r = keywords.handle_reply("whatsapp", "6281234567890", "Berhenti.")
    assert r.action == "withdrawn" and r.customers == [c.pk]
    assert consent.current_status(c, "marketing", "whatsapp") == "withdrawn"
    assert consent.current_status(c, "partners", "whatsapp") == "withdrawn"
    assert consent.current_status(c, "service", "whatsapp") is None  # order updates go on
    # STOP from a number nobody in Relasi has: never written to again
    r = keywords.handle_reply("sms", "081299998888", "STOP")
    assert r.action == "suppressed" and suppression.is_suppressed("sms", "+6281299998888")
