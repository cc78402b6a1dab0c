"""Appointment e-mails: the .ics invitation parses with icalendar; the signed response link
works without logging in and refuses tampered or expired tokens; WhatsApp is a hook only."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.core import mail
from django.test import Client

from relasi.activities import actions, messaging
from relasi.activities.models import Activity
from relasi.activities.tests.factories import meeting
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def appointment(personas):
    customer = person(personas.rep, "Andi", "Wijaya")
    with time_machine.travel(T0, tick=False):
        return meeting(personas.rep, customer, "Konsultasi", due_at=T0 + dt.timedelta(days=2))


def _link(message) -> str:
    import re

    return re.search(r"https?://\S+/activities/a/\S+/", message.body).group(0)


def test_invitation_has_a_parsable_ics(personas, as_user, appointment):
    response = as_user(personas.rep).post(f"/activities/{appointment.pk}/invite/")
    assert response.status_code == 302
    message = mail.outbox[0]
    assert message.to == [appointment.customer.primary_email]
    name, content, mimetype = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(content)
    assert str(cal["METHOD"]) == "REQUEST"
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["SUMMARY"]).startswith("Konsultasi")
    assert event.decoded("DTSTART") == appointment.due_at
    assert event.decoded("DTEND") == appointment.ends_at
    assert appointment.customer.primary_email in str(event["ATTENDEE"])
    assert "/activities/a/" in str(event["DESCRIPTION"])
    appointment.refresh_from_db()
    assert appointment.invitation_sent_at and appointment.confirmation == "pending"


def test_customer_confirms_without_logging_in(personas, appointment):
    with time_machine.travel(T0, tick=False):
        actions.send_invitation(personas.rep, appointment)
        url = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
        client = Client(enforce_csrf_checks=True)
        page = client.get("/" + url)
        assert page.status_code == 200 and "Konsultasi" in page.content.decode()
        assert '<html lang="id"' in page.content.decode()  # the customer's preferred language
        token = page.cookies["csrftoken"].value
        response = client.post(
            "/" + url, {"answer": "confirm", "note": "Sampai jumpa", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 200
    appointment.refresh_from_db()
    assert (
        appointment.confirmation == "confirmed" and appointment.confirmation_note == "Sampai jumpa"
    )
    assert personas.rep.notifications.filter(kind="confirmation").exists()


def test_tampered_and_expired_links_are_refused(personas, appointment):
    token = messaging.response_token(appointment, appointment.customer_id)
    client = Client()
    assert client.get(f"/activities/a/{token[:-2]}xx/").status_code == 404
    other = Activity.objects.create(kind="task", title="x", owner=personas.rep)
    forged = messaging.response_token(other, appointment.customer_id)  # not a meeting
    assert client.get(f"/activities/a/{forged}/").status_code == 404
    with time_machine.travel(T0, tick=False):
        old = messaging.response_token(appointment, appointment.customer_id)
    with time_machine.travel(T0 + dt.timedelta(days=61), tick=False):
        assert client.get(f"/activities/a/{old}/").status_code == 410
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):  # appointment is over
        fresh = messaging.response_token(appointment, appointment.customer_id)
        assert client.post(f"/activities/a/{fresh}/", {"answer": "decline"}).status_code == 410
    appointment.refresh_from_db()
    assert appointment.confirmation == "pending"


def test_whatsapp_is_a_hook_that_falls_back_to_email(personas):
    with pytest.raises(messaging.ChannelUnavailable):
        messaging.send_reminder("whatsapp", to="+628123", subject="s", body="b")
    with pytest.raises(ValueError):
        messaging.send_reminder("pigeon", to="x", subject="s", body="b")
    delivery = messaging.deliver_with_fallback(
        "whatsapp", to="a@example.test", subject="s", body="b"
    )
    assert delivery.ok and delivery.channel == "email" and "WhatsApp" in delivery.detail
    assert len(mail.outbox) == 1


def test_meeting_form_sends_invitation_and_moving_it_marks_rescheduled(personas, as_user):
    customer = person(personas.rep, "Rudi", "Hartono")
    client = as_user(personas.rep)
    response = client.post(
        "/activities/meetings/new/",
        {
            "kind": "appointment",
            "title": "Medical check-up",
            "customer": customer.pk,
            "due_at": "2031-02-03T09:00",
            "ends_at": "2031-02-03T10:00",
            "location": "Klinik",
            "status": "open",
            "attendees": [personas.teammate.pk],
            "send_invitation": "on",
            "remind_customer": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    a = Activity.objects.get(title="Medical check-up")
    assert len(mail.outbox) == 1 and a.invitation_sent_at
    assert a.reminders.filter(recipient="customer").count() == 1
    assert list(a.attendees.all()) == [personas.teammate]
    actions.update_activity(
        personas.rep, a, {"due_at": a.due_at + dt.timedelta(days=1)}, expected_version=a.version
    )
    a.refresh_from_db()
    assert a.confirmation == "rescheduled"
    assert a.reminders.get(recipient="customer").remind_at == a.due_at - dt.timedelta(days=1)
