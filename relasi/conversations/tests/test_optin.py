"""Double opt-in on SMS and WhatsApp: a web-form consent waits, the person is asked to reply YA
through the channel's inbox, and their YA confirms it."""

import pytest

from relasi.conversations import actions
from relasi.conversations.choices import DeliveryStatus, Direction
from relasi.conversations.models import Message
from relasi.conversations.tests.factories import inbox
from relasi.customers.tests.factories import person
from relasi.privacy import consent

pytestmark = pytest.mark.django_db


def _box(kind, **config):
    box = inbox(kind, config=config)
    box.set_secrets({"access_token": "t", "auth_token": "t"})
    box.save()
    return box


def test_sms_asks_for_ya_and_the_reply_confirms(personas, django_capture_on_commit_callbacks):
    box = _box("sms", account_sid="AC1")
    dewi = person(personas.rep, "Dewi", "Lestari", phones=["081234567890"], preferred_language="id")
    with django_capture_on_commit_callbacks(execute=True):
        consent.record(None, dewi, "marketing", "sms", "granted", source="web_form", confirm=True)
    assert consent.current_status(dewi, "marketing", "sms") == "pending"
    ask = Message.objects.get(direction=Direction.OUTBOUND)
    assert "YA" in ask.body and ask.conversation.contact_address == "+6281234567890"
    assert ask.status in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED, DeliveryStatus.SENT)
    actions.receive(box, actions.Inbound(sender="+6281234567890", body="YA", external_id="SM1"))
    assert consent.current_status(dewi, "marketing", "sms") == "granted"


def test_whatsapp_needs_the_approved_template(personas, django_capture_on_commit_callbacks):
    dewi = person(personas.rep, "Dewi", "Lestari", phones=["081234567890"])
    _box("whatsapp", phone_number_id="1")  # no opt-in template: nothing can be asked
    with django_capture_on_commit_callbacks(execute=True):
        consent.record(None, dewi, "marketing", "whatsapp", "granted", source="web_form")
    assert not Message.objects.exists()
    _box("whatsapp", phone_number_id="2", optin_template="konfirmasi_promo")
    consent.record(None, dewi, "marketing", "whatsapp", "withdrawn", source="staff")
    with django_capture_on_commit_callbacks(execute=True):
        consent.record(None, dewi, "marketing", "whatsapp", "granted", source="web_form")
    ask = Message.objects.get(direction=Direction.OUTBOUND)
    assert ask.meta["template"]["name"] == "konfirmasi_promo"
    assert ask.meta["template"]["params"][0] == "Dewi"
