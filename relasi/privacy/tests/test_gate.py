"""The one gate: every reason it can say no, quiet hours and caps with `not_before`, and the
set-based answer agreeing with the per-person one."""

import datetime as dt
import random
import zoneinfo

import pytest

from relasi.customers import actions
from relasi.customers.tests.factories import person
from relasi.privacy import consent, gate, suppression
from relasi.privacy.models import ChannelPolicy

pytestmark = pytest.mark.django_db
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=WIB)
LATE = dt.datetime(2026, 12, 3, 22, 30, tzinfo=WIB)


def granted(c, channel="email", purpose="marketing"):
    consent.record(None, c, purpose, channel, "granted", source="import")


def test_marketing_needs_a_granted_consent(personas):
    c = person(personas.rep)
    assert gate.may_contact(c, "email", "marketing", at=NOON).reason == "no_consent"
    consent.record(None, c, "marketing", "email", "granted", source="web_form", confirm=False)
    assert gate.may_contact(c, "email", "marketing", at=NOON).reason == "pending"
    granted(c)
    d = gate.may_contact(c, "email", "marketing", at=NOON)
    assert d and d.reason == "ok" and d.address == c.primary_email
    consent.record(None, c, "marketing", "email", "withdrawn", source="unsubscribe")
    assert gate.may_contact(c, "email", "marketing", at=NOON).reason == "withdrawn"


def test_service_messages_need_no_consent_but_respect_an_objection(personas):
    c = person(personas.rep)
    assert gate.may_contact(c, "email", "service", at=LATE)  # no quiet hours for service
    consent.record(None, c, "service", "email", "withdrawn", source="preference_centre")
    assert gate.may_contact(c, "email", "service", at=NOON).reason == "withdrawn"
    # ... but a message the person asked for right now still goes (a sign-in link)
    assert gate.may_contact(c, "email", "service", at=NOON, requested=True)


def test_no_address_blacklist_and_suppression(personas):
    c = person(personas.rep, emails=[])
    assert gate.may_contact(c, "email", "service").reason == "no_address"
    d = person(personas.rep, "Dina", "Putri")
    granted(d)
    actions.blacklist(personas.manager, d, "fake")
    d.refresh_from_db()
    assert gate.may_contact(d, "email", "marketing", at=NOON).reason == "blacklisted"
    assert gate.may_contact(d, "email", "service", at=NOON)  # the blacklist blocks offers only
    suppression.suppress("email", "DINA.PUTRI@example.test", "bounced")
    assert gate.may_contact(d, "email", "service", at=NOON).reason == "suppressed"
    assert not gate.may_contact(None, "email", "service", address=" dina.putri@EXAMPLE.test ")


def test_quiet_hours_say_when_instead(personas):
    c = person(personas.rep, phones=["081234567890"])
    granted(c, "whatsapp")
    d = gate.may_contact(c, "whatsapp", "marketing", at=LATE)
    assert d.reason == "quiet_hours"
    assert d.not_before == dt.datetime(2026, 12, 4, 8, 0, tzinfo=WIB)
    early = dt.datetime(2026, 12, 4, 7, 59, tzinfo=WIB)
    assert gate.may_contact(c, "whatsapp", "marketing", at=early).not_before == (
        dt.datetime(2026, 12, 4, 8, 0, tzinfo=WIB)
    )
    assert gate.may_contact(c, "whatsapp", "marketing", at=early + dt.timedelta(minutes=1))
    # configurable per channel: no quiet hours on WhatsApp any more
    ChannelPolicy.objects.filter(channel="whatsapp").update(quiet_start=None, quiet_end=None)
    assert gate.may_contact(c, "whatsapp", "marketing", at=LATE)


def test_weekly_cap(personas):
    c = person(personas.rep)
    granted(c)
    cap = ChannelPolicy.objects.get(channel="email").weekly_cap
    assert cap == 3
    days = [NOON - dt.timedelta(days=n) for n in (6, 4, 1)]
    for at in days:
        gate.record_sent(c, "email", "marketing", at=at)
    gate.record_sent(c, "email", "service", at=NOON)  # service messages are not counted
    d = gate.may_contact(c, "email", "marketing", at=NOON)
    assert d.reason == "cap_reached" and d.not_before == days[0] + dt.timedelta(days=7)
    assert gate.may_contact(c, "email", "marketing", at=days[0] + dt.timedelta(days=7, seconds=1))


def test_filter_contactable_agrees_with_may_contact(personas):
    """On a random population, the one-query answer equals asking person by person."""
    rng = random.Random(7)
    people = []
    for i in range(40):
        c = person(personas.rep, f"Orang{i}", "Uji", phones=[f"0812{1000000 + i}"])
        roll = rng.random()
        if roll < 0.6:
            granted(c, "email")
        elif roll < 0.75:
            consent.record(None, c, "marketing", "email", "withdrawn", source="staff")
        elif roll < 0.85:
            consent.record(None, c, "marketing", "email", "granted", source="api", confirm=False)
        if rng.random() < 0.1:
            actions.blacklist(personas.manager, c, "abuse")
        if rng.random() < 0.1:
            suppression.suppress("email", c.primary_email, "complaint")
        if rng.random() < 0.2:
            for n in range(3):
                gate.record_sent(c, "email", "marketing", at=NOON - dt.timedelta(days=n + 1))
        people.append(c)
    for purpose in ("marketing", "service", "profiling"):
        expected = set()
        for c in people:
            c.refresh_from_db()
            if gate.may_contact(c, "email", purpose, at=NOON):
                expected.add(c.pk)
        got = set(gate.filter_contactable("email", purpose, at=NOON))
        assert got == expected, purpose
        assert gate.contactable_ids("email", purpose, at=NOON) == sorted(expected), purpose
    assert set(gate.filter_contactable("email", "marketing", at=LATE)) == set()


def test_the_outbox_never_delivers_to_a_suppressed_address(
    personas, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """The last net under every sender: the outbox drops suppressed recipients."""
    from django.core.mail import send_mail

    from relasi.core.models import OutboundEmail

    settings.MAILERS = {
        "default": {"BACKEND": "relasi.core.mail.OutboxBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    suppression.suppress("email", "stop@example.test", "complaint")
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Promo", "Halo", None, ["Stop@Example.test", "ok@example.test"])
    assert list(OutboundEmail.objects.values_list("recipients", flat=True)) == ["ok@example.test"]
    assert [m.to for m in mailoutbox] == [["ok@example.test"]]
    assert send_mail("Promo", "Halo", None, ["Budi <stop@example.test>"]) == 0
    assert OutboundEmail.objects.count() == 1


def test_the_bulk_decisions_of_the_360_page_equal_the_single_ones(
    personas, django_assert_max_num_queries
):
    c = person(personas.rep, phones=["081234567890"])
    granted(c)
    consent.record(None, c, "marketing", "whatsapp", "withdrawn", source="staff")
    consent.record(None, c, "service", "sms", "withdrawn", source="staff")
    suppression.suppress("sms", "081234567890", "stop")
    for n in range(3):
        gate.record_sent(c, "email", "marketing", at=NOON - dt.timedelta(days=n + 1))
    for at in (NOON, LATE):
        with django_assert_max_num_queries(8):
            bulk = gate.decisions(c, at=at)
        single = {key: gate.may_contact(c, key[1], key[0], at=at) for key in bulk}
        assert bulk == single
        assert len({d.reason for d in bulk.values()}) >= 4
