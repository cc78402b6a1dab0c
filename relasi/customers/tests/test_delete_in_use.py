"""Deleting a customer that deals (or other records) still refer to: never a 500. The UI says
what holds it and offers reassign / archive / merge; bulk delete skips and names it; the API
answers 409 with the blocking references (or reassigns with ?reassign_to=)."""

import pytest
from django.test import Client

from relasi.accounts import actions as account_actions
from relasi.core import records
from relasi.core.models import AuditEvent
from relasi.customers.models import Customer
from relasi.customers.tests.factories import person
from relasi.sales.models import Deal
from relasi.sales.tests.factories import deal, pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(personas):
    """Budi, held by two deals; Agus, free; Siti, where the deals can go."""
    p = pipeline()
    budi = person(personas.rep, "Budi", "Santoso")
    for name in ("Blender 1", "Blender 2"):
        deal(personas.rep, p, name=name, customer=budi)
    return budi, person(personas.rep, "Agus", "Salim"), person(personas.rep, "Siti", "Rahayu")


def test_delete_record_refuses_with_counts_per_type(personas, held):
    budi, _agus, _siti = held
    events = AuditEvent.objects.count()
    with pytest.raises(records.InUseError) as info:
        records.delete_record(personas.manager, budi)
    [blocker] = info.value.blockers
    assert (blocker.label, blocker.count) == ("sales.deal", 2)
    assert [text for _pk, text in blocker.examples] == ["Blender 1", "Blender 2"]
    assert Customer.objects.filter(pk=budi.pk).exists()
    assert AuditEvent.objects.count() == events  # the delete event rolled back with it


def test_delete_page_says_what_holds_it_and_offers_ways_out(personas, as_user, held):
    budi, _agus, _siti = held
    response = as_user(personas.manager).post(f"/customers/people/{budi.pk}/delete/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "delete-blocked" in page and "2 deals" in page and "Blender 1" in page
    for url in (f"/customers/{budi.pk}/reassign-delete/", f"/customers/{budi.pk}/archive/"):
        assert url in page
    assert Customer.objects.filter(pk=budi.pk).exists()


def test_reassign_then_delete(personas, as_user, held):
    budi, _agus, siti = held
    client = as_user(personas.manager)
    response = client.post(f"/customers/{budi.pk}/reassign-delete/", {"target": f"#{siti.pk}"})
    assert response.status_code == 302 and response["Location"] == siti.get_absolute_url()
    assert not Customer.objects.filter(pk=budi.pk).exists()
    assert Deal.objects.filter(customer=siti).count() == 2


def test_reassign_needs_a_visible_target_and_the_permissions(personas, as_user, held):
    budi, _agus, _siti = held
    hidden = person(personas.other_rep, "Cici", "Tiga")
    client = as_user(personas.manager)
    client.post(f"/customers/{budi.pk}/reassign-delete/", {"target": hidden.pk})
    client.post(f"/customers/{budi.pk}/reassign-delete/", {"target": budi.pk})
    client.post(f"/customers/{budi.pk}/reassign-delete/", {"target": "9" * 40})
    assert Deal.objects.filter(customer=budi).count() == 2
    rep = as_user(personas.rep)  # may not delete customers
    assert rep.post(f"/customers/{budi.pk}/reassign-delete/", {"target": 1}).status_code == 403
    other = as_user(personas.other_rep)
    assert other.post(f"/customers/{budi.pk}/archive/").status_code == 404


def test_archive_instead(personas, as_user, held):
    budi, _agus, _siti = held
    as_user(personas.manager).post(f"/customers/{budi.pk}/archive/")
    budi.refresh_from_db()
    assert budi.lifecycle_stage == "former" and budi.deals.count() == 2


def test_bulk_delete_skips_and_names_what_is_held(personas, as_user, held):
    budi, agus, _siti = held
    client = as_user(personas.manager)
    response = client.post(
        "/customers/people/bulk/",
        {"action": "delete", "ids": [budi.pk, agus.pk], "confirmed": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Customer.objects.filter(pk=agus.pk).exists()
    assert Customer.objects.filter(pk=budi.pk).exists()
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Budi Santoso: 2 deals" in text


def test_api_answers_409_with_blocking_references_then_reassigns(personas, held):
    budi, _agus, siti = held
    _t, raw = account_actions.issue_token(personas.manager, "t", {"customers": "write"})
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.delete(f"/api/v1/customers/people/{budi.pk}")
    assert response.status_code == 409
    details = response.json()["error"]["details"]
    assert [(b["type"], b["count"]) for b in details["blocking"]] == [("sales.deal", 2)]
    assert details["options"] == ["reassign", "archive", "merge"]
    assert (
        api.delete(f"/api/v1/customers/people/{budi.pk}?reassign_to={budi.pk}").status_code == 422
    )
    response = api.delete(f"/api/v1/customers/people/{budi.pk}?reassign_to={siti.pk}")
    assert response.status_code == 204
    assert Deal.objects.filter(customer=siti).count() == 2
