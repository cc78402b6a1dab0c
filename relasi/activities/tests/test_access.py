"""Who sees an activity: owner, team (by role), subordinates (managers), delegation,
participants; outsiders get 404 in the UI and the API."""

import pytest

from relasi.activities import selectors
from relasi.activities.tests.factories import meeting, task
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db

# actor -> (detail page, API GET, edit page, API PATCH)
EXPECTED = {
    "rep": (200, 200, 200, 200),
    "teammate": (404, 404, 404, 404),
    "manager": (200, 200, 200, 200),
    "other_rep": (404, 404, 404, 404),
    "readonly": (200, 200, 403, 403),  # team visibility, read-only role
    "admin": (200, 200, 200, 200),
}


@pytest.fixture
def rep_task(personas):
    return task(personas.rep, "Send the price list")


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_matrix(personas, as_user, rep_task, actor):
    client = as_user(getattr(personas, actor))
    detail, api_get, edit, api_patch = EXPECTED[actor]
    assert client.get(f"/activities/tasks/{rep_task.pk}/").status_code == detail
    assert client.get(f"/api/v1/activities/tasks/{rep_task.pk}").status_code == api_get
    assert client.get(f"/activities/tasks/{rep_task.pk}/edit/").status_code == edit
    response = client.patch(
        f"/api/v1/activities/tasks/{rep_task.pk}",
        {"title": "x", "version": rep_task.version},
        content_type="application/json",
    )
    assert response.status_code == api_patch
    if detail == 404:
        assert b"Send the price list" not in client.get("/activities/tasks/").content


def test_outsider_cannot_complete_or_invite(personas, as_user, rep_task):
    client = as_user(personas.other_rep)
    assert client.post(f"/activities/{rep_task.pk}/complete/").status_code == 404
    assert client.post(f"/activities/{rep_task.pk}/invite/").status_code == 404
    assert (
        client.post(
            f"/api/v1/activities/items/{rep_task.pk}/complete", {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_delegator_and_participant_see_it(personas, as_user):
    delegated = task(personas.teammate, "Prepare the samples", owner=personas.rep)
    assert delegated.assigned_by == personas.teammate and delegated.is_delegated
    assert as_user(personas.teammate).get(f"/activities/tasks/{delegated.pk}/").status_code == 200
    customer = person(personas.rep)
    m = meeting(personas.rep, customer, attendees=[personas.other_rep])
    assert as_user(personas.other_rep).get(f"/activities/meetings/{m.pk}/").status_code == 200
    assert selectors.visible_activities(personas.other_rep).filter(pk=m.pk).count() == 1


def test_team_scopes(personas):
    mine = task(personas.rep, "Mine")
    theirs = task(personas.teammate, "Teammate's")
    delegated = task(personas.rep, "For teammate", owner=personas.teammate)
    # Manager: subordinates
    team = set(selectors.scoped(personas.manager, "team").values_list("pk", flat=True))
    assert {mine.pk, theirs.pk, delegated.pk} <= team
    # Rep (own visibility): only what the access layer allows, i.e. what I delegated
    rep_team = set(selectors.scoped(personas.rep, "team").values_list("pk", flat=True))
    assert rep_team == {delegated.pk}
    assert set(selectors.scoped(personas.rep, "delegated").values_list("pk", flat=True)) == {
        delegated.pk
    }
    # Read-only (team visibility): the team's
    ro_team = set(selectors.scoped(personas.readonly, "team").values_list("pk", flat=True))
    assert {mine.pk, theirs.pk, delegated.pk} <= ro_team
    # Other team's rep sees none of it
    assert not selectors.scoped(personas.other_rep, "team").exists()


def test_delegation_notifies_the_assignee(personas, as_user):
    t = task(personas.manager, "Visit Toko Makmur", owner=personas.rep)
    note = personas.rep.notifications.get()
    assert "Visit Toko Makmur" in note.text and note.url == t.get_absolute_url()
    page = as_user(personas.rep).get("/activities/my-tasks/")
    assert "Visit Toko Makmur" in page.content.decode()


def test_customer_lookup_only_visible(personas, as_user):
    person(personas.rep, "Budi", "Hartono")
    assert as_user(personas.rep).get("/activities/lookup/customers/?q=budi").json()["results"]
    assert (
        not as_user(personas.other_rep)
        .get("/activities/lookup/customers/?q=budi")
        .json()["results"]
    )


def test_cannot_link_invisible_customer(personas, as_user):
    hidden = person(personas.other_rep, "Rahasia", "Orang")
    response = as_user(personas.rep).post(
        "/api/v1/activities/tasks",
        {"title": "x", "customer_id": hidden.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    form = as_user(personas.rep).post(
        "/activities/tasks/new/",
        {
            "title": "x",
            "customer": hidden.pk,
            "priority": "normal",
            "status": "open",
            "progress": 0,
        },
    )
    assert form.status_code == 400
