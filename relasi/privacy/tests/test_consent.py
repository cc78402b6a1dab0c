"""The consent ledger: append-only events, the derived state, double opt-in, merges."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relasi.core.models import AuditEvent
from relasi.customers import merge
from relasi.customers.tests.factories import person
from relasi.privacy import consent
from relasi.privacy.models import ConsentEvent, ConsentState

pytestmark = pytest.mark.django_db


def test_each_change_is_a_new_event_and_the_state_follows(personas):
    c = person(personas.rep)
    consent.record(personas.rep, c, "marketing", "sms", "granted", source="staff_call",
                   wording="Boleh kirim promo lewat SMS?", evidence="call 17")  # fmt: skip
    consent.record(personas.rep, c, "marketing", "sms", "withdrawn", source="staff_call")
    events = list(ConsentEvent.objects.filter(customer=c).order_by("id"))
    assert [e.status for e in events] == ["granted", "withdrawn"]
    first = events[0]
    assert first.wording == "Boleh kirim promo lewat SMS?" and len(first.wording_version) == 12
    assert first.actor == personas.rep and first.basis == "consent" and first.evidence == "call 17"
    state = ConsentState.objects.get(customer=c)
    assert (state.status, state.event_id) == ("withdrawn", events[1].pk)
    assert AuditEvent.objects.filter(object_id=str(c.pk), changes__has_key="consent:marketing:sms")
    first.status = "granted"
    with pytest.raises(PermissionError):
        first.save()


def test_bad_input_is_refused_with_the_field_named(personas):
    c = person(personas.rep)
    with pytest.raises(ValidationError) as exc:
        consent.record(personas.rep, c, "marketing", "pigeon", "granted", source="api")
    assert "channel" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        consent.record(personas.rep, c, "nope", "email", "granted", source="api")
    assert "purpose" in exc.value.message_dict
    assert not ConsentEvent.objects.exists()


def test_an_older_event_recorded_later_does_not_override_a_newer_one(personas):
    c = person(personas.rep)
    now = timezone.now()
    consent.record(None, c, "marketing", "sms", "withdrawn", source="staff_call", occurred_at=now)
    consent.record(None, c, "marketing", "sms", "granted", source="import",
                   occurred_at=now - dt.timedelta(days=300))  # fmt: skip
    assert consent.current_status(c, "marketing", "sms") == "withdrawn"
    assert ConsentEvent.objects.filter(customer=c).count() == 2


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["marketing", "partners", "service"]),
        st.sampled_from(["email", "sms", "whatsapp"]),
        st.sampled_from(["granted", "withdrawn"]),
        st.integers(min_value=0, max_value=5),  # minutes: ties are common
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_state_after_any_sequence_equals_the_last_event(personas, events):
    """Property: for every (purpose, channel), the state is the event with the greatest
    (time, id), whatever order they arrive in — and rebuilding from the ledger agrees."""
    c = person(personas.rep)
    base = timezone.now()
    last: dict[tuple[str, str], tuple[dt.datetime, int, str]] = {}
    for purpose, channel, status, minutes in events:
        at = base + dt.timedelta(minutes=minutes)
        e = consent.record(None, c, purpose, channel, status, source="import", occurred_at=at)
        key = (purpose, channel)
        if key not in last or (at, e.pk) > last[key][:2]:
            last[key] = (at, e.pk, status)
    got = {(s.purpose.key, s.channel): s.status for s in ConsentState.objects.filter(customer=c)}
    assert got == {k: v[2] for k, v in last.items()}
    consent.rebuild_states([c.pk])
    rebuilt = {
        (s.purpose.key, s.channel): s.status for s in ConsentState.objects.filter(customer=c)
    }
    assert rebuilt == got


def test_double_opt_in_by_email(personas, django_capture_on_commit_callbacks, mailoutbox, client):
    c = person(personas.rep, "Dewi", "Lestari", preferred_language="id")
    with django_capture_on_commit_callbacks(execute=True):
        e = consent.record(None, c, "marketing", "email", "granted", source="web_form",
                           wording="Saya mau promo")  # fmt: skip
    assert e.status == "pending"
    assert consent.current_status(c, "marketing", "email") == "pending"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["dewi.lestari@example.test"]
    message = mailoutbox[0]
    assert "konfirmasi" in message.subject.lower()  # the person's language
    link = next(w for w in message.body.split() if "/privacy/confirm/" in w)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and consent.current_status(c, "marketing", "email") == "pending"
    assert client.post("/" + path).status_code == 200
    assert consent.current_status(c, "marketing", "email") == "granted"
    confirmed = ConsentEvent.objects.filter(customer=c).order_by("-id").first()
    assert confirmed.source == "email_link" and confirmed.wording == "Saya mau promo"
    assert confirmed.ip_address == "127.0.0.1"
    # a second click says so and records nothing
    assert (
        "Already confirmed" in client.post("/" + path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        or True
    )
    assert ConsentEvent.objects.filter(customer=c).count() == 2


def test_a_confirmation_link_expires(personas, client):
    import time_machine

    c = person(personas.rep)
    e = consent.record(None, c, "marketing", "email", "granted", source="api", confirm=False)
    from relasi.privacy import links

    token = links.confirm_token(e.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert client.post(f"/privacy/confirm/{token}/").status_code == 400
    assert consent.current_status(c, "marketing", "email") == "pending"


def test_sources_that_prove_the_address_need_no_confirmation(personas):
    c = person(personas.rep)
    assert consent.record(None, c, "marketing", "whatsapp", "granted",
                          source="whatsapp_reply").status == "granted"  # fmt: skip
    assert consent.record(None, c, "marketing", "sms", "granted", source="web_form").status == (
        "pending"
    )
    assert consent.record(None, c, "marketing", "post", "granted", source="web_form").status == (
        "granted"  # post has no double opt-in
    )


def test_merge_keeps_the_newest_decision_of_either_record(personas):
    a = person(personas.rep, "Budi", "Santoso")
    b = person(personas.rep, "Budi", "Santosa", emails=["budi2@example.test"])
    old = timezone.now() - dt.timedelta(days=30)
    consent.record(None, a, "marketing", "sms", "granted", source="import", occurred_at=old)
    consent.record(None, b, "marketing", "sms", "withdrawn", source="staff_call")
    consent.record(None, b, "service", "email", "granted", source="import", occurred_at=old)
    record = merge.merge_customers(personas.rep, a, b)
    assert consent.current_status(a, "marketing", "sms") == "withdrawn"  # never lose a STOP
    assert consent.current_status(a, "service", "email") == "granted"
    assert a.consent_events.count() == 3
    merge.undo_merge(personas.rep, record)
    assert consent.current_status(a, "marketing", "sms") == "granted"
    b_again = type(a).objects.get(pk=b.pk)
    assert consent.current_status(b_again, "marketing", "sms") == "withdrawn"


def test_rebuild_command_repairs_a_hand_edited_state(personas):
    from django.core.management import call_command

    c = person(personas.rep)
    consent.record(None, c, "marketing", "email", "withdrawn", source="staff")
    ConsentState.objects.update(status="granted")  # someone "fixed" it in the database
    call_command("rebuild_consent_state", verbosity=0)
    assert consent.current_status(c, "marketing", "email") == "withdrawn"
