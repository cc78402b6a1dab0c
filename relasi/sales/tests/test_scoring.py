"""Lead scoring: demographic and behavioural rules, decay, reasons, work-list order."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from relasi.sales import scoring
from relasi.sales.actions import leads as actions
from relasi.sales.models import Lead, ScoreSettings, ScoringRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    ScoreSettings.objects.create(half_life_days=10)
    return [
        ScoringRule.objects.create(
            name="Has company", field="company", operator="is_set", points=10
        ),
        ScoringRule.objects.create(
            name="Java",
            field="province",
            operator="equals",
            value="jawa barat, dki jakarta",
            points=5,
        ),
        ScoringRule.objects.create(
            name="Big budget", field="expected_value", operator="gte", value="10000000", points=20
        ),
        ScoringRule.objects.create(
            name="Notes", kind="behavioural", event="note", points=8, max_points=16
        ),
        ScoringRule.objects.create(name="Contacted", kind="behavioural", event="contact", points=4),
    ]


def make(personas, **kw):
    from relasi.sales.tests import factories as f

    return f.lead(personas.rep, **kw)


def test_demographic_points_and_reasons(personas, rules):
    lead = make(personas, company="PT Maju", expected_value=15_000_000)
    assert lead.score == 35
    assert {r["rule_id"] for r in lead.score_reasons} == {rules[0].pk, rules[1].pk, rules[2].pk}
    assert {r["text"] for r in scoring.explain(lead.score_reasons)} == {
        "Has company",
        "Java",
        "Big budget",
    }


def test_behavioural_points_are_capped_and_decay(personas, rules):
    lead = make(personas)
    for _ in range(3):
        actions.add_note(personas.rep, lead, "called")
    lead.refresh_from_db()
    assert lead.score == 5 + 16  # three notes × 8, capped at 16
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        call_command("rescore_leads")
        lead.refresh_from_db()
        assert lead.score == 5 + 8  # one half-life later
        decay = [r for r in lead.score_reasons if r["kind"] == "decay"]
        assert decay and decay[0]["points"] == -8
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        call_command("rescore_leads")
        lead.refresh_from_db()
        assert lead.score == 5 + 4


def test_decay_math():
    now = timezone.now()
    assert scoring.decay_factor(now - dt.timedelta(days=30), 30, now) == pytest.approx(0.5)
    assert scoring.decay_factor(now - dt.timedelta(days=60), 30, now) == pytest.approx(0.25)
    assert scoring.decay_factor(now - dt.timedelta(days=60), 0, now) == 1.0


def test_rescored_on_change(personas, rules):
    lead = make(personas)
    assert lead.score == 5
    lead = actions.update_lead(
        personas.rep, lead, {"company": "CV Berkah"}, expected_version=lead.version
    )
    assert lead.score == 15
    lead = actions.change_status(personas.rep, lead, "contacted")
    assert lead.score == 19


def test_my_leads_ordered_by_score_with_reasons_shown(personas, rules, as_user):
    low = make(personas, email="low@example.test", province="Bali")
    high = make(personas, email="high@example.test", company="PT Besar", expected_value=20_000_000)
    mid = make(personas, email="mid@example.test")
    page = as_user(personas.rep).get("/sales/leads/mine/").content.decode()
    assert (
        page.index(high.get_absolute_url())
        < page.index(mid.get_absolute_url())
        < page.index(low.get_absolute_url())
    )
    detail = as_user(personas.rep).get(high.get_absolute_url()).content.decode()
    assert "Big budget" in detail and "+20" in detail
    api = as_user(personas.rep).get(f"/api/v1/sales/leads/{high.pk}/score").json()
    assert api["score"] == 35 and len(api["reasons"]) == 3
    ids = [x["id"] for x in as_user(personas.rep).get("/api/v1/sales/leads").json()["items"]]
    assert ids == [high.pk, mid.pk, low.pk]


def test_rescore_all_is_bulk(personas, rules, django_assert_max_num_queries):
    for i in range(20):
        make(personas, email=f"x{i}@example.test")
    Lead.objects.update(score=0)
    with django_assert_max_num_queries(12):
        changed = scoring.rescore_all()
    assert changed == 20


# --- reasons are stored as codes and put into words in the viewer's language ------------------


def test_reasons_are_stored_language_neutral_and_shown_in_the_viewers_language(
    personas, rules, as_user
):
    from django.utils import translation

    rules[2].name_id = "Anggaran besar"
    rules[2].save(update_fields=["name_id"])
    lead = make(personas, company="PT Maju", expected_value=15_000_000)
    for _ in range(2):
        actions.add_note(personas.rep, lead, "called")
    # The nightly job runs in the server's default language (Bahasa Indonesia) ...
    with (
        translation.override("id"),
        time_machine.travel(timezone.now() + dt.timedelta(days=10)),
    ):
        call_command("rescore_leads")
    lead.refresh_from_db()
    stored = lead.score_reasons
    assert all("code" in r for r in stored)
    decay = next(r for r in stored if r["code"] == "decay")
    assert decay["days"] == 10 and decay["half_life"] == 10 and "rule" not in decay
    assert "Peluruhan" not in str(stored) and "Decay" not in str(stored)  # no words stored
    # ... and each viewer reads the reasons in their own language.
    en = scoring.explain(stored, "en")
    idn = scoring.explain(stored, "id")
    assert "Big budget" in [r["text"] for r in en] and "Anggaran besar" in [r["text"] for r in idn]
    assert any(r["text"].startswith("Decay: 10 days without activity") for r in en)
    assert not any(r["text"].startswith("Decay") for r in idn)
    notes = next(r for r in en if r["text"] == "Notes")
    assert notes["detail"] == "Note × 2"
    big = next(r for r in en if r["text"] == "Big budget")
    assert big["detail"] == "Expected value is at least 10000000"
    page = as_user(personas.rep).get(lead.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "Decay: 10 days without activity" in html and "Anggaran besar" not in html
    api = as_user(personas.rep).get(
        f"/api/v1/sales/leads/{lead.pk}/score", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert any(r["text"].startswith("Decay: 10 days") for r in api.json()["reasons"])


def test_reasons_written_before_codes_still_show(personas, rules):
    old = [{"rule": "Perusahaan diisi", "points": 10, "kind": "demographic"}]
    assert scoring.explain(old, "en")[0]["text"] == "Perusahaan diisi"


def test_deleted_rule_keeps_its_name(personas, rules):
    lead = make(personas, company="PT Maju")
    rules[0].delete()
    texts = [r["text"] for r in scoring.explain(lead.score_reasons, "en")]
    assert "Has company" in texts
