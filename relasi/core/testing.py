"""Test personas and helpers shared by every app's tests (anchor: healthchecks hc/test.py).

Personas: `admin` (Administrator), `manager` (Manager, team A), `rep` (Sales, team A, reports to
manager), `teammate` (Sales, team A, reports to manager), `other_rep` (Sales, team B, no
relation), `readonly` (Read-only, team A). Permission tests become one line:

    assert_visible(rep, obj) / assert_hidden(other_rep, url)
"""

from dataclasses import dataclass
from typing import Any

from django.test import Client

from relasi.accounts.models import Role, Team, User

PASSWORD = "correct horse battery staple 42"  # noqa: S105 - test fixture


@dataclass
class Personas:
    admin: User
    manager: User
    rep: User
    teammate: User
    other_rep: User
    readonly: User
    team_a: Team
    team_b: Team

    def all(self) -> list[User]:
        return [self.admin, self.manager, self.rep, self.teammate, self.other_rep, self.readonly]


def make_user(
    username: str, role: str, team: Team | None = None, manager: User | None = None, **extra: Any
) -> User:
    return User.objects.create_user(
        username=username,
        email=f"{username}@example.test",
        password=PASSWORD,
        role=Role.objects.get(slug=role),
        team=team,
        manager=manager,
        **extra,
    )


def make_personas() -> Personas:
    # A transactional test's teardown flushes every table, the default roles (a data
    # migration) included, so a later transactional test in the same worker finds none.
    if not Role.objects.exists():
        from relasi.accounts.roles import ensure_default_roles

        ensure_default_roles(Role)
    team_a = Team.objects.create(name="Team A")
    team_b = Team.objects.create(name="Team B")
    admin = make_user("admin", "administrator")
    manager = make_user("manager", "manager", team_a)
    rep = make_user("rep", "sales", team_a, manager)
    teammate = make_user("teammate", "sales", team_a, manager)
    other_manager = make_user("manager_b", "manager", team_b)
    other_rep = make_user("other_rep", "sales", team_b, other_manager)
    readonly = make_user("readonly", "readonly", team_a)
    return Personas(admin, manager, rep, teammate, other_rep, readonly, team_a, team_b)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        session = client.session
        import time

        session["_started"] = session["_seen"] = time.time()
        session.save()
    return client
