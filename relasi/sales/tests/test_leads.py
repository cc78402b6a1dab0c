"""Leads: normalisation, conversion through the duplicate check, history kept on the customer."""

import pytest
from django.core.exceptions import ValidationError

from relasi.customers import timeline
from relasi.customers.models import Customer
from relasi.customers.tests.factories import organization, person
from relasi.privacy.models import ConsentEvent
from relasi.sales.actions import leads as actions
from relasi.sales.choices import LeadEventKind, LeadStatus
from relasi.sales.models import Deal
from relasi.sales.tests import factories as f

pytestmark = pytest.mark.django_db


def test_phone_is_normalised_and_name_built(personas):
    lead = f.lead(personas.rep)
    assert lead.phone == "+6281234567890"
    assert lead.name == "Budi Santoso"
    assert lead.events.filter(kind=LeadEventKind.CREATED).exists()
    with pytest.raises(ValidationError):
        f.lead(personas.rep, phone="12")


def test_conversion_links_the_existing_person_found_by_the_duplicate_check(personas):
    existing = person(personas.rep, "Budi", "Santoso", emails=["budi@example.test"])
    lead = f.lead(personas.rep)
    before = Customer.objects.count()
    converted = actions.convert_lead(personas.rep, lead, person="auto", organization=None)
    assert converted.status == LeadStatus.CONVERTED
    assert converted.converted_customer_id == existing.pk
    assert Customer.objects.count() == before
    assert converted.converted_at is not None


def test_conversion_to_new_refuses_when_duplicates_exist_unless_forced(personas):
    person(personas.rep, "Budi", "Santoso", emails=["budi@example.test"])
    lead = f.lead(personas.rep)
    with pytest.raises(actions.DuplicatesFound) as exc:
        actions.convert_lead(personas.rep, lead, person="new", organization=None)
    assert exc.value.found
    converted = actions.convert_lead(
        personas.rep, lead, person="new", organization=None, force=True
    )
    assert Customer.objects.filter(name="Budi Santoso").count() == 2
    assert converted.converted_customer.primary_email == "budi@example.test"


def test_duplicate_check_respects_visibility(personas):
    """A rep never links (or learns about) a customer they cannot see."""
    person(personas.other_rep, "Budi", "Santoso", emails=["budi@example.test"])
    lead = f.lead(personas.rep)
    assert actions.duplicate_candidates(personas.rep, lead)["person"] == []


def test_conversion_creates_person_org_deal_and_keeps_history(personas):
    p = f.pipeline()
    lead = f.lead(
        personas.rep, company="PT Sinar Abadi", job_title="Purchasing", expected_value=5_000_000
    )
    lead = actions.update_lead(personas.rep, lead, {"interest": "Rice cookers for the canteen"})
    lead.consent, lead.consent_text = True, "Boleh dihubungi"
    lead.save(update_fields=["consent", "consent_text"])
    converted = actions.convert_lead(
        personas.rep, lead, person="auto", organization="auto", create_deal=True
    )
    org = converted.converted_organization
    assert org.kind == "organization" and org.name == "PT Sinar Abadi"
    assert converted.converted_customer.memberships.filter(organization=org).exists()
    deal = Deal.objects.get(pk=converted.converted_deal_id)
    assert deal.pipeline == p and deal.organization == org and deal.value == 5_000_000
    assert ConsentEvent.objects.filter(
        customer=converted.converted_customer, purpose__key="marketing", source="web_form"
    ).exists()
    kinds = {e.kind for e in timeline.entries(converted.converted_customer, limit=50)}
    assert {"lead", "deal"} <= kinds
    assert actions.log  # history stays on the lead too
    assert converted.events.filter(kind=LeadEventKind.CONVERTED).exists()


def test_conversion_links_existing_organisation(personas):
    org = organization(personas.rep, "PT Sinar Abadi")
    lead = f.lead(personas.rep, company="PT Sinar Abadi", email="x@sinar.test")
    converted = actions.convert_lead(
        personas.rep, lead, person="new", organization="auto", force=True
    )
    assert converted.converted_organization_id == org.pk


def test_disqualify_needs_reason_and_converted_lead_is_final(personas):
    lead = f.lead(personas.rep)
    with pytest.raises(ValidationError):
        actions.change_status(personas.rep, lead, LeadStatus.DISQUALIFIED)
    lead = actions.change_status(personas.rep, lead, LeadStatus.DISQUALIFIED, reason="no_budget")
    assert lead.disqualify_reason == "no_budget"
    with pytest.raises(ValidationError):
        actions.convert_lead(personas.rep, lead)


def test_convert_view_shows_candidates_and_converts(personas, as_user):
    existing = person(personas.rep, "Budi", "Santoso", emails=["budi@example.test"])
    lead = f.lead(personas.rep)
    client = as_user(personas.rep)
    page = client.get(f"/sales/leads/{lead.pk}/convert/")
    assert page.status_code == 200 and f'value="{existing.pk}"' in page.content.decode()
    response = client.post(
        f"/sales/leads/{lead.pk}/convert/",
        {"person": existing.pk, "organization": "", "version": lead.version},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.converted_customer_id == existing.pk


def test_convert_api_409_lists_candidates(personas, as_user):
    person(personas.rep, "Budi", "Santoso", emails=["budi@example.test"])
    lead = f.lead(personas.rep)
    client = as_user(personas.rep)
    url = f"/api/v1/sales/leads/{lead.pk}/convert"
    response = client.post(
        url, {"person": "new", "organization": None}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"]["candidates"]
    ok = client.post(
        url, {"person": "new", "organization": None, "force": True}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "converted"
