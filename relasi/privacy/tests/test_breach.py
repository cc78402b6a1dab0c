"""The breach register: the 72-hour clock, its reminders, the affected people and their frozen
list, the letters, the PDF, the people CSV, permissions (UI and API) and the audit trail."""

import datetime as dt
import importlib
import zoneinfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from relasi.accounts.models import ApiToken, Role
from relasi.activities.models import Notification
from relasi.core.models import AuditEvent, CompanyProfile
from relasi.core.testing import client_for, make_user
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person
from relasi.privacy import breach, breach_letters
from relasi.privacy.models import BreachIncident, BreachSubject

pytestmark = pytest.mark.django_db

JKT = zoneinfo.ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2026, 3, 30, 22, 15, tzinfo=JKT)  # late evening: the deadline crosses a month
H = dt.timedelta(hours=1)


@pytest.fixture
def dpo(personas):
    return make_user("dpo", "dpo", language="id")


def _incident(actor, at=T0, **extra):
    data = {
        "title": "Laptop stolen",
        "description": "A sales laptop with an export of customers was stolen from a car.",
        "discovered_at": at,
        "occurred_at": at - 5 * H,
        "occurred_approximate": True,
        "risk": "high",
        "data_categories": ["contact", "identity", "purchases"],
        "measures": "Remote wipe requested; all passwords rotated.",
        "consequences": "Phishing messages in our name.",
        "advice": "Ignore messages asking for payment.",
        **extra,
    }
    with time_machine.travel(at, tick=False):
        return breach.create_incident(actor, data)


def _audits(incident):
    return list(AuditEvent.objects.for_object(incident).order_by("pk"))


# --- the clock ------------------------------------------------------------------------------------
def test_deadline_is_72_hours_after_discovery_across_the_month_end(dpo):
    incident = _incident(dpo)
    assert incident.notify_within_hours == 72
    assert incident.deadline == T0 + 72 * H
    assert incident.deadline.astimezone(JKT).date() == dt.date(2026, 4, 2)
    c = incident.clock(T0 + H)
    assert (c.state, c.seconds_left) == ("running", 71 * 3600)
    c = incident.clock(T0 + 48 * H + 1 * dt.timedelta(seconds=1))
    assert c.state == "urgent" and c.seconds_left == 24 * 3600 - 1
    c = incident.clock(T0 + 72 * H)
    assert c.state == "urgent" and c.seconds_left == 0
    c = incident.clock(T0 + 75 * H)
    assert (c.state, c.seconds_left, c.overdue) == ("overdue", -3 * 3600, True)


def test_clock_stops_when_both_notices_are_recorded(dpo):
    incident = _incident(dpo, affected_scope="all")
    with time_machine.travel(T0 + 10 * H, tick=False):
        incident = breach.record_notice(dpo, incident, "authority", reference="K-1")
        assert incident.clock().state == "running"  # the people are still to be told
        incident = breach.record_notice(dpo, incident, "people", reference="e-mail")
    assert incident.status == "notified"
    later = incident.clock(T0 + 100 * H)
    assert later.stopped and later.state == "met" and later.seconds_left == 62 * 3600


def test_a_late_notice_shows_how_late(dpo):
    incident = _incident(dpo, affected_scope="all")
    with time_machine.travel(T0 + 80 * H, tick=False):
        breach.record_notice(dpo, incident, "authority")
        incident = breach.record_notice(dpo, incident, "people")
    clock = incident.clock(T0 + 200 * H)
    assert clock.state == "late" and clock.seconds_left == -8 * 3600


def test_deadline_hours_come_from_settings_and_can_be_set_per_incident(dpo, settings):
    settings.PRIVACY_BREACH_NOTIFY_HOURS = 48
    assert _incident(dpo).deadline == T0 + 48 * H
    assert _incident(dpo, notify_within_hours=24).deadline == T0 + 24 * H


# --- reminders and escalation -------------------------------------------------------------------
def _notes(kind=None):
    qs = Notification.objects.filter(kind__startswith="privacy.breach.")
    if kind:
        qs = qs.filter(kind=f"privacy.breach.{kind}")
    return qs


def _sweep(at):
    with time_machine.travel(at, tick=False):
        return breach.check_clocks()


def test_reminders_at_24_and_48_hours_and_escalation_each_sent_once(dpo, personas):
    incident = _incident(personas.admin)
    assert _notes("new").filter(user=dpo).count() == 1  # the other privacy owner hears of it
    assert _sweep(T0 + 23 * H) == {"reminders": 0, "escalations": 0}
    assert _sweep(T0 + 24 * H) == {"reminders": 1, "escalations": 0}
    assert _sweep(T0 + 25 * H) == {"reminders": 0, "escalations": 0}
    assert sorted(_notes("24h").values_list("user__username", flat=True)) == ["admin", "dpo"]
    assert _sweep(T0 + 48 * H)["reminders"] == 1
    assert _sweep(T0 + 49 * H)["reminders"] == 0
    assert _notes("48h").count() == 2
    assert _sweep(T0 + 71 * H) == {"reminders": 0, "escalations": 0}
    assert _sweep(T0 + 72 * H) == {"reminders": 0, "escalations": 1}
    assert _sweep(T0 + 90 * H) == {"reminders": 0, "escalations": 0}
    assert _notes("escalation").count() == 2
    # Nobody without the privacy module is told; the DPO reads it in Indonesian.
    assert not _notes().filter(user__in=[personas.manager, personas.rep]).exists()
    assert "jam" in _notes("24h").get(user=dpo).text
    assert "OVERDUE" in _notes("escalation").get(user=personas.admin).text
    messages = [e.message for e in _audits(incident)]
    assert [m for m in messages if m.startswith("clock:")] == [
        "clock: 24h sent to 2 privacy owners",
        "clock: 48h sent to 2 privacy owners",
        "clock: escalation sent to 2 privacy owners",
    ]


def test_a_late_sweep_sends_only_the_latest_step(dpo):
    incident = _incident(dpo)
    assert _sweep(T0 + 50 * H)["reminders"] == 1
    incident.refresh_from_db()
    assert incident.reminded_24_at and incident.reminded_48_at
    assert _notes("24h").count() == 0 and _notes("48h").filter(user=dpo).count() == 1
    assert _sweep(T0 + 100 * H)["escalations"] == 1
    assert _sweep(T0 + 101 * H)["escalations"] == 0


def test_no_reminders_once_notified_or_closed(dpo):
    notified = _incident(dpo, affected_scope="all")
    with time_machine.travel(T0 + 2 * H, tick=False):
        breach.record_notice(dpo, notified, "authority")
        breach.record_notice(dpo, notified, "people")
    closed = _incident(dpo)
    with time_machine.travel(T0 + 3 * H, tick=False):
        breach.update_incident(dpo, closed, {"status": "closed"})
    assert _sweep(T0 + 100 * H) == {"reminders": 0, "escalations": 0}
    assert not _notes("escalation").exists()


def test_the_management_command_runs_the_sweep(dpo, capsys):
    from django.core.management import call_command

    _incident(dpo)
    with time_machine.travel(T0 + 30 * H, tick=False):
        call_command("check_breaches")
    assert "reminders=1" in capsys.readouterr().out


# --- affected people and the frozen list --------------------------------------------------------
@pytest.fixture
def people(personas):
    found = [
        person(personas.rep, "Budi", "Santoso", phones=["+6281234567001"]),
        person(personas.other_rep, "Dewi", "Lestari", preferred_language="en"),
        person(personas.rep, "Eko", "Prasetyo"),
    ]
    for customer, city in zip(found, ["Bandung", "Bandung", "Jakarta"], strict=True):
        Customer.objects.filter(pk=customer.pk).update(city=city)
    return found


def test_affected_people_from_the_people_list_address(dpo, people):
    query = "/customers/people/?city=Bandung&sort=-name&after=abc&cols=name"
    incident = _incident(dpo, affected_scope="query", affected_query=query)
    assert incident.affected_query == "city=Bandung"
    assert incident.affected_count == 2  # every person, not only the reporter's own
    rows = list(breach.affected_rows(incident, dpo))
    assert [r[0] for r in rows] == ["Budi Santoso", "Dewi Lestari"]
    assert rows[0][1:] == ["budi.santoso@example.test", "+6281234567001", "id"]
    assert rows[1][3] == "en"


def test_an_invalid_filter_is_refused(dpo, people):
    with pytest.raises(ValidationError) as err:
        _incident(dpo, affected_scope="query", affected_query="lifecycle_stage=nonsense")
    assert "affected_query" in err.value.message_dict


def test_unknown_data_categories_are_refused(dpo):
    with pytest.raises(ValidationError):
        _incident(dpo, data_categories=["contact", "horoscope"])


def test_notifying_the_people_freezes_who_was_told(dpo, people, personas):
    incident = _incident(dpo, affected_scope="query", affected_query="city=Bandung")
    with time_machine.travel(T0 + 5 * H, tick=False):
        incident = breach.record_notice(dpo, incident, "people", reference="e-mail")
    frozen = set(
        BreachSubject.objects.filter(incident=incident).values_list("customer_id", flat=True)
    )
    assert frozen == {people[0].pk, people[1].pk}
    assert incident.snapshot_at is not None and incident.affected_count == 2
    # Later changes to customers do not change who was told.
    fajar = person(personas.rep, "Fajar", "Nugroho")
    Customer.objects.filter(pk=fajar.pk).update(city="Bandung")
    Customer.objects.filter(pk=people[0].pk).update(city="Surabaya")
    assert set(breach.affected_people(incident).values_list("pk", flat=True)) == frozen
    assert breach.live_people(incident, dpo).count() == 2  # Dewi and Fajar now
    with pytest.raises(ValidationError):
        breach.update_incident(dpo, incident, {"affected_query": "city=Jakarta"})
    # Freezing twice changes nothing.
    assert breach.freeze_people(dpo, incident) == 2


def test_the_people_cannot_be_notified_before_they_are_determined(dpo):
    incident = _incident(dpo)
    with pytest.raises(ValidationError):
        breach.record_notice(dpo, incident, "people")


# --- letters and PDF ----------------------------------------------------------------------------
@pytest.fixture
def company(db):
    profile = CompanyProfile.current()
    CompanyProfile.objects.filter(pk=profile.pk).update(
        name="Toko Sejahtera", email="privasi@toko.test", phone="+62 22 555"
    )


@pytest.mark.parametrize(
    ("lang", "law", "when_how", "handling", "contact_data", "count"),
    [
        ("id", "Pasal 46", "Kapan dan bagaimana", "Penanganan dan pemulihan", "Data kontak",
         "Jumlah orang yang terdampak: 2"),
        ("en", "Article 46", "When and how", "Handling and recovery", "Contact details",
         "Number of people affected: 2"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("audience", ["authority", "people"])
def test_letters_hold_what_article_46_2_requires(
    dpo, people, company, settings, lang, law, when_how, handling, contact_data, count, audience
):
    incident = _incident(dpo, affected_scope="query", affected_query="city=Bandung")
    html = breach_letters.render_html(incident, audience, lang)
    assert f'lang="{lang}"' in html
    assert law in html and "27" in html
    assert "Toko Sejahtera" in html and "privasi@toko.test" in html  # letterhead and contact
    assert contact_data in html  # (a) the personal data disclosed
    assert when_how in html and "stolen from a car" in html  # (b) when and how
    assert "30 Mar 2026" in html  # discovered, in local time
    assert handling in html and "Remote wipe requested" in html  # (c) handling and recovery
    if audience == "authority":
        assert settings.PRIVACY_AUTHORITY_NAME in html and count in html
        assert "Ignore messages asking for payment." not in html
    else:
        assert "Ignore messages asking for payment." in html


def test_letter_pdf_renders_and_is_audited(dpo, company):
    incident = _incident(dpo)
    pdf = breach_letters.render_pdf(incident, "authority", "id")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    client = client_for(dpo)
    url = reverse("privacy:breach_letter", args=[incident.pk, "people", "en"])
    response = client.get(url + "?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    html = client.get(url)
    assert html.status_code == 200 and b"Handling and recovery" in html.content
    assert "letter to people (en, pdf)" in [e.message for e in _audits(incident)]


# --- UI -----------------------------------------------------------------------------------------
def test_dpo_records_a_breach_through_the_form(dpo, people):
    client = client_for(dpo)
    assert client.get(reverse("privacy:breach_create")).status_code == 200
    response = client.post(
        reverse("privacy:breach_create"),
        {
            "title": "Leaked spreadsheet",
            "status": "open",
            "risk": "medium",
            "discovered_at": "2026-03-30T09:00",
            "data_categories": ["contact", "identity"],
            "affected_scope": "query",
            "affected_query": "city=Bandung",
            "notify_within_hours": "72",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = BreachIncident.objects.get(title="Leaked spreadsheet")
    assert incident.reported_by == dpo and incident.affected_count == 2
    assert incident.discovered_at == dt.datetime(2026, 3, 30, 9, 0, tzinfo=JKT)
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Overdue by" in body or "left" in body
    assert 'id="history-panel"' in body and "Created" in body
    assert "?city=Bandung" in body  # opens the people list with the filter
    assert client.get(reverse("privacy:breach_list")).status_code == 200


def test_list_shows_time_left_and_overdue(dpo):
    _incident(dpo, title="Fresh")
    _incident(dpo, at=T0 - 100 * H, title="Old")
    with time_machine.travel(T0 + 2 * H, tick=False):
        body = client_for(dpo).get(reverse("privacy:breach_list")).content.decode()
    assert "2 d 22 h left" in body
    assert "Overdue by 1 d 6 h" in body


def test_notice_form_and_people_csv(dpo, people):
    incident = _incident(dpo, affected_scope="query", affected_query="city=Bandung")
    client = client_for(dpo)
    url = reverse("privacy:breach_notice", args=[incident.pk])
    response = client.post(url, {"audience": "people", "reference": "e-mail"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.people_notified_at and incident.snapshot_at
    csv = b"".join(
        client.get(reverse("privacy:breach_people", args=[incident.pk])).streaming_content
    )
    text = csv.decode("utf-8-sig")
    assert text.splitlines()[0] == "Name,E-mail,Phone,Preferred language"
    # CSV cells that start like a formula get an apostrophe (SECURITY.md check 16).
    assert "Budi Santoso,budi.santoso@example.test,'+6281234567001,id" in text
    assert "Eko" not in text
    messages = [e.message for e in _audits(incident)]
    assert "notice: people" in messages
    assert "affected people frozen: 2" in messages
    assert "affected people CSV (frozen list)" in messages


def test_audit_trail_of_create_update_and_notice(dpo):
    incident = _incident(dpo)
    breach.update_incident(dpo, incident, {"status": "contained"})
    breach.record_notice(
        dpo, BreachIncident.objects.get(pk=incident.pk), "authority", reference="R1"
    )
    events = _audits(incident)
    assert events[0].action == "create" and events[0].actor == dpo
    assert any(e.changes.get("status") == ["open", "contained"] for e in events)
    assert any(e.changes.get("authority_reference") == ["", "R1"] for e in events)


# --- permissions --------------------------------------------------------------------------------
def _role_users(personas):
    return [
        personas.manager,
        personas.rep,
        personas.readonly,
        make_user("agent", "service"),
        make_user("analyst", "analyst"),
        make_user("marketer", "marketing"),
    ]


def test_non_privacy_roles_get_403_everywhere(dpo, personas):
    incident = _incident(dpo, affected_scope="all")
    urls = [
        reverse("privacy:breach_list"),
        reverse("privacy:breach_create"),
        reverse("privacy:breach_detail", args=[incident.pk]),
        reverse("privacy:breach_edit", args=[incident.pk]),
        reverse("privacy:breach_people", args=[incident.pk]),
        reverse("privacy:breach_letter", args=[incident.pk, "authority", "id"]),
    ]
    for user in _role_users(personas):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
        notice = reverse("privacy:breach_notice", args=[incident.pk])
        assert client.post(notice, {"audience": "authority"}).status_code == 403
    anonymous = client_for(None).get(urls[0])
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    incident.refresh_from_db()
    assert incident.authority_notified_at is None


def test_people_csv_also_needs_customers_export(dpo, personas):
    incident = _incident(dpo, affected_scope="all")
    role = Role.objects.create(name="Privacy only", slug="privacy-only", visibility="all",
                               permissions={"privacy": ["view", "export"]})  # fmt: skip
    user = make_user("privonly", "privacy-only")
    assert (
        client_for(user).get(reverse("privacy:breach_people", args=[incident.pk])).status_code
        == 403
    )
    assert role.pk


def test_api_permissions_and_flow(dpo, personas, people):
    def bearer(user):
        token, raw = ApiToken.generate(user=user, name="t", scopes={"*": "write"})
        token.save()
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    client = client_for(None)
    base = "/api/v1/privacy/breaches"
    for user in (personas.manager, personas.rep, make_user("analyst", "analyst")):
        headers = bearer(user)
        assert client.get(base, **headers).status_code == 403
        assert (
            client.post(
                base, {"title": "x"}, content_type="application/json", **headers
            ).status_code
            == 403
        )
    headers = bearer(dpo)
    created = client.post(
        base,
        {"title": "API breach", "affected_scope": "query", "affected_query": "city=Bandung",
         "data_categories": ["contact"], "discovered_at": "2026-03-30T10:00:00+07:00"},
        content_type="application/json",
        **headers,
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["affected_count"] == 2 and body["deadline"].startswith("2026-04-02T")
    pk = body["id"]
    bad = client.post(base, {"title": "x", "data_categories": ["horoscope"]},
                      content_type="application/json", **headers)  # fmt: skip
    assert bad.status_code == 422
    notice = client.post(f"{base}/{pk}/notices", {"audience": "people"},
                         content_type="application/json", **headers)  # fmt: skip
    assert notice.status_code == 200 and notice.json()["snapshot_at"]
    people_page = client.get(f"{base}/{pk}/people", **headers).json()
    assert sorted(p["name"] for p in people_page["items"]) == ["Budi Santoso", "Dewi Lestari"]
    letter = client.get(f"{base}/{pk}/letters/people/id", **headers)
    assert letter.status_code == 200 and "Pasal 46" in letter.json()["html"]
    frozen = client.patch(f"{base}/{pk}", {"affected_query": "city=Jakarta"},
                          content_type="application/json", **headers)  # fmt: skip
    assert frozen.status_code == 422
    assert client.get(f"{base}/{pk}/people", **bearer(personas.manager)).status_code == 403


# --- roles ----------------------------------------------------------------------------------------
def test_dpo_role_and_manager_without_privacy(personas, dpo):
    from relasi.core.context_processors import nav_for

    assert dpo.has_module_perm("privacy", "delete") and dpo.has_module_perm("customers", "export")
    assert not dpo.has_module_perm("customers", "change")
    assert not personas.manager.has_module_perm("privacy", "view")
    assert personas.admin.has_module_perm("privacy", "export")
    assert "privacy" in [s["key"] for s in nav_for(dpo)]
    assert "privacy" not in [s["key"] for s in nav_for(personas.manager)]


def test_migration_adds_the_dpo_and_takes_privacy_from_old_default_grants(db):
    migration = importlib.import_module(
        "relasi.accounts.migrations.0004_dpo_role_privacy_restricted"
    )
    Role.objects.filter(slug="dpo").delete()
    manager = Role.objects.get(slug="manager")
    manager.permissions = {**manager.permissions, "privacy": migration.ALL}
    manager.save()
    analyst = Role.objects.get(slug="analyst")
    analyst.permissions = {**analyst.permissions, "privacy": ["view"]}  # an administrator's choice
    analyst.save()
    migration.forward(django_apps, None)
    assert Role.objects.get(slug="dpo").permissions["privacy"] == migration.ALL
    assert "privacy" not in Role.objects.get(slug="manager").permissions
    assert Role.objects.get(slug="analyst").permissions["privacy"] == ["view"]
