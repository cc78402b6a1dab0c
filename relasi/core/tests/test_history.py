"""Record pages show a readable change history (issue #19): field labels, translated choice
values, related records' names, Yes/No, local times in the reader's format — folded, below the
record, from the one core panel."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import capfirst

from relasi.core import audit, history
from relasi.core.choices import AuditAction
from relasi.core.testing import client_for
from relasi.sales.models import Lead
from relasi.sales.tests.factories import lead

CONVERTED_UTC = "2026-03-01T03:00:00+00:00"


@pytest.fixture
def changed_lead(personas):
    obj = lead(personas.rep, owner=personas.rep)
    audit.record(
        personas.rep,
        AuditAction.UPDATE,
        obj,
        changes={
            "status": ["new", "contacted"],
            "converted_at": [None, CONVERTED_UTC],
            "owner": ["rep", "teammate"],
            "consent": [False, True],
            "custom": [{}, {}],
            "expected_value": ["1000000.00", "15000000.00"],
        },
    )
    return obj


def _history_html(html: str) -> str:
    return html[html.index('id="history-panel"') :]


def test_history_is_readable(personas, changed_lead):
    html = client_for(personas.rep).get(changed_lead.get_absolute_url()).content.decode()
    panel = _history_html(html)
    local = dt.datetime.fromisoformat(CONVERTED_UTC).astimezone(ZoneInfo("Asia/Jakarta"))
    assert date_format(local, "DATETIME_FORMAT") in panel  # 10:00 in Jakarta, not 03:00 UTC
    assert CONVERTED_UTC not in panel and "2026-03-01T" not in panel
    for raw in ("converted_at", "expected_value", "{}", ">new<", ">contacted<"):
        assert raw not in panel, raw
    for readable in ("Status", "Contacted", "Converted", "Owner", "teammate", "Yes", "15,000,000"):
        assert readable in panel, readable


def test_history_is_folded_below_the_record(personas, changed_lead):
    html = client_for(personas.rep).get(changed_lead.get_absolute_url()).content.decode()
    panel_at = html.index('<details class="card history-panel')
    assert html.index('id="score-reasons"') < panel_at  # the record comes first
    assert '<details class="card history-panel mt-3" id="history-panel">' in html  # not open
    assert html.count('id="history-panel"') == 1
    assert 'class="kv kv-grid' not in html  # no empty generic field card beside the lead's own


def test_every_record_page_uses_the_core_panel(personas, changed_lead):
    """A page built only from the generic detail template gets the panel too (a role here)."""
    from relasi.accounts.models import Role

    role = Role.objects.get(slug="sales")
    url = reverse("accounts:role_detail", args=[role.pk])
    html = client_for(personas.admin).get(url).content.decode()
    assert 'id="history-panel"' in html


def test_values_follow_the_readers_language_and_zone(personas, changed_lead):
    personas.rep.time_zone = "Asia/Jayapura"  # WIT, UTC+9
    with translation.override("id"):
        event = history.readable(changed_lead, personas.rep)[0]
        by_label = {c.label: c for c in event.changes}
        status = by_label[capfirst(str(Lead._meta.get_field("status").verbose_name))]
        converted = by_label[capfirst(str(Lead._meta.get_field("converted_at").verbose_name))]
    assert (status.before, status.after) == ("Baru", "Sudah dihubungi")
    assert not event.created and history.readable(changed_lead, personas.rep)[-1].created
    assert event.at.utcoffset() == dt.timedelta(hours=9)
    local = dt.datetime.fromisoformat(CONVERTED_UTC).astimezone(ZoneInfo("Asia/Jayapura"))
    with translation.override("id"):
        assert converted.after == date_format(local, "DATETIME_FORMAT")  # 12:00 WIT


def test_customer_timeline_changes_are_readable(personas):
    """The 360° page's "Changes" entries use the same labels and values."""
    from relasi.customers import actions as customer_actions
    from relasi.customers.models import Customer
    from relasi.customers.tests.factories import person

    customer = person(personas.rep, "Rina", "Wati")
    customer_actions.update_customer(
        personas.rep, customer, {"occupation": "Petani"}, expected_version=customer.version
    )
    html = client_for(personas.rep).get(f"/customers/people/{customer.pk}/").content.decode()
    label = capfirst(str(Customer._meta.get_field("occupation").verbose_name))
    assert f"{label}: — → Petani" in html
    assert "occupation:" not in html


def test_changes_named_after_a_reverse_relation(personas):
    """Actions record child rows under the relation's name ("lines"); a deal page shows them."""
    from relasi.sales.models import Deal
    from relasi.sales.tests.factories import deal, pipeline

    d = deal(personas.rep, pipeline())
    audit.record(personas.rep, AuditAction.UPDATE, d, changes={"lines": [[], ["1 × Blender"]]})
    response = client_for(personas.rep).get(d.get_absolute_url())
    assert response.status_code == 200
    rel = next(f for f in Deal._meta.get_fields() if f.name == "lines")
    label = capfirst(str(rel.related_model._meta.verbose_name_plural))
    assert label in _history_html(response.content.decode())
