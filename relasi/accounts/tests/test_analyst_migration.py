"""The data migration gives an existing install's Analyst role the analytics actions it needs to
save reports, without touching what else an administrator granted."""

import importlib

import pytest
from django.apps import apps

from relasi.accounts.models import Role

migration = importlib.import_module("relasi.accounts.migrations.0003_analyst_full_analytics")


@pytest.mark.django_db
def test_old_analyst_role_gets_full_analytics():
    role = Role.objects.get(slug="analyst")
    role.permissions = {**role.permissions, "analytics": ["view", "export"], "sales": ["view"]}
    role.save()
    migration.grant(apps, None)
    role.refresh_from_db()
    assert role.allows("analytics", "add") and role.allows("analytics", "change")
    assert role.permissions["sales"] == ["view"]
