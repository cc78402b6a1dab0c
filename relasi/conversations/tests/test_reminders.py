"""Appointment reminders go over WhatsApp (an approved template, through the inbox's one
sender) when the customer prefers it and the installation has it, by e-mail otherwise."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from relasi.activities.reminders import send_due_reminders
from relasi.activities.tests.factories import meeting
from relasi.conversations.choices import DeliveryStatus, Direction
from relasi.conversations.models import Message
from relasi.conversations.tests.factories import inbox
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def _remind(personas, customer):
    with time_machine.travel(T0, tick=False) as clock:
        meeting(
            personas.rep, customer, due_at=T0 + dt.timedelta(days=3), remind_customer_minutes=1440
        )
        clock.move_to(T0 + dt.timedelta(days=2))
        assert send_due_reminders() == 1


def test_a_whatsapp_customer_gets_the_approved_template(personas):
    box = inbox(
        "whatsapp", config={"phone_number_id": "123", "reminder_template": "pengingat_janji"}
    )
    box.set_secrets({"access_token": "t"})
    box.save()
    wulan = person(personas.rep, "Wulan", "Sari", phones=["081234567890"], preferred_channel="whatsapp",
                   preferred_language="id")  # fmt: skip
    _remind(personas, wulan)
    assert mail.outbox == []
    out = Message.objects.get(direction=Direction.OUTBOUND)
    assert (
        out.conversation.customer == wulan and out.conversation.contact_address == "+6281234567890"
    )
    assert out.status == DeliveryStatus.QUEUED
    template = out.meta["template"]
    assert template["name"] == "pengingat_janji" and template["language"] == "id"
    assert template["params"][:2] == ["Wulan", "Demo at the office"]


def test_without_a_whatsapp_inbox_the_reminder_goes_by_email(personas):
    wulan = person(
        personas.rep, "Wulan", "Sari", phones=["081234567890"], preferred_channel="whatsapp"
    )
    inbox("whatsapp")  # no template, no token: not usable
    _remind(personas, wulan)
    assert mail.outbox[0].to == [wulan.primary_email]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_withdrawn_whatsapp_consent_falls_back_to_email(personas):
    from relasi.privacy import consent

    box = inbox(
        "whatsapp", config={"phone_number_id": "123", "reminder_template": "pengingat_janji"}
    )
    box.set_secrets({"access_token": "t"})
    box.save()
    wulan = person(
        personas.rep, "Wulan", "Sari", phones=["081234567890"], preferred_channel="whatsapp"
    )
    consent.record(personas.rep, wulan, "service", "whatsapp", "withdrawn", source="staff_call")
    _remind(personas, wulan)
    assert mail.outbox[0].to == [wulan.primary_email]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
