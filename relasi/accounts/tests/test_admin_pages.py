"""Roles, users and teams administration: the role grid takes effect; non-admins get 403."""

import pytest

from relasi.accounts.models import Role, Team, User
from relasi.core.modules import ACTIONS, MODULES
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def role_form(role: Role, grid: dict[str, list[str]]) -> dict:
    data = {
        "name": role.name,
        "slug": role.slug,
        "description": role.description,
        "visibility": role.visibility,
        "max_discount_percent": str(role.max_discount_percent),
    }
    if role.require_2fa:
        data["require_2fa"] = "on"
    for module, actions in grid.items():
        for action in actions:
            data[f"perm__{module}__{action}"] = "on"
    return data


def test_role_grid_edit_takes_effect(personas):
    sales = Role.objects.get(slug="sales")
    admin = client_for(personas.admin)
    page = admin.get(f"/accounts/roles/{sales.pk}/edit/")
    assert page.status_code == 200
    assert b"perm__customers__delete" in page.content
    customer = person(personas.rep)
    rep = client_for(personas.rep)
    assert rep.post(f"/customers/people/{customer.pk}/delete/").status_code == 403
    grid = {
        **{m: list(a) for m, a in sales.permissions.items()},
        "customers": ["view", "change", "delete"],
    }
    response = admin.post(f"/accounts/roles/{sales.pk}/edit/", role_form(sales, grid))
    assert response.status_code == 302, response.content[:1500]
    sales.refresh_from_db()
    assert sales.permissions["customers"] == ["view", "change", "delete"]
    assert rep.post(f"/customers/people/{customer.pk}/delete/").status_code == 302
    # removing the module takes it away entirely
    grid.pop("customers")
    admin.post(f"/accounts/roles/{sales.pk}/edit/", role_form(sales, grid))
    assert rep.get("/customers/people/").status_code == 403


def test_grid_implies_view(personas):
    sales = Role.objects.get(slug="sales")
    client_for(personas.admin).post(
        f"/accounts/roles/{sales.pk}/edit/", role_form(sales, {"customers": ["change"]})
    )
    sales.refresh_from_db()
    assert sales.permissions == {"customers": ["view", "change"]}


def test_role_visibility_edit(personas):
    readonly = Role.objects.get(slug="readonly")
    data = role_form(readonly, readonly.permissions)
    data["visibility"] = "own"
    client_for(personas.admin).post(f"/accounts/roles/{readonly.pk}/edit/", data)
    customer = person(personas.rep)
    assert client_for(personas.readonly).get(f"/customers/people/{customer.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/users/",
        "/accounts/teams/",
        "/accounts/roles/",
        "/accounts/users/new/",
        "/settings/custom-fields/",
        "/audit/",
    ],
)
def test_admin_pages(personas, url):
    assert client_for(personas.admin).get(url).status_code == 200
    for user in (personas.rep, personas.readonly, personas.other_rep):
        assert client_for(user).get(url).status_code == 403


def test_manager_can_view_admin_lists_but_not_change(personas):
    manager = client_for(personas.manager)
    assert manager.get("/accounts/users/").status_code == 200
    assert manager.get("/accounts/users/new/").status_code == 403
    assert manager.post(f"/accounts/roles/{personas.rep.role_id}/edit/", {}).status_code == 403


def test_admin_creates_user_and_team(personas):
    admin = client_for(personas.admin)
    assert admin.post("/accounts/teams/new/", {"name": "Team C"}).status_code == 302
    team = Team.objects.get(name="Team C")
    response = admin.post(
        "/accounts/users/new/",
        {
            "username": "newbie",
            "email": "newbie@example.test",
            "role": Role.objects.get(slug="sales").pk,
            "team": team.pk,
            "manager": personas.manager.pk,
            "is_active": "on",
            "time_zone": "Asia/Jakarta",
            "password": "a sufficiently long passphrase",
        },
    )
    assert response.status_code == 302, response.content[:1500]
    user = User.objects.get(username="newbie")
    assert user.team == team and user.manager == personas.manager
    assert user.pk in personas.manager.subordinate_ids()


def test_admin_user_weak_password_refused(personas):
    response = client_for(personas.admin).post(
        "/accounts/users/new/",
        {
            "username": "weak",
            "email": "weak@example.test",
            "is_active": "on",
            "password": "relasi123",
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="weak").exists()


def test_manager_cycle_refused(personas):
    response = client_for(personas.admin).post(
        f"/accounts/users/{personas.manager.pk}/edit/",
        {
            "username": "manager",
            "email": "manager@example.test",
            "role": personas.manager.role_id,
            "team": personas.team_a.pk,
            "manager": personas.rep.pk,
            "is_active": "on",
            "time_zone": "Asia/Jakarta",
        },
    )
    assert response.status_code == 400
    personas.manager.refresh_from_db()
    assert personas.manager.manager is None


def test_every_module_in_grid(personas):
    page = (
        client_for(personas.admin)
        .get(f"/accounts/roles/{Role.objects.first().pk}/edit/")
        .content.decode()
    )
    for module in MODULES:
        for action in ACTIONS:
            assert f"perm__{module}__{action}" in page
