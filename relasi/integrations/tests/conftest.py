import pytest

from relasi.core.testing import make_personas


@pytest.fixture
def personas(db):
    # Transactional tests flush the roles the migrations created; put them back first.
    from relasi.accounts.models import Role
    from relasi.accounts.roles import ensure_default_roles

    ensure_default_roles(Role)
    return make_personas()
