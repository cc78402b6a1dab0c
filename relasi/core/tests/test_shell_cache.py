"""The page shell's cached fragments show what changed on the very next request: another
language, another role, a role's new permissions, a folded section (issue 19)."""

import re

import pytest
from django.conf import settings

from relasi.core.context_processors import _render_sidebar
from relasi.core.testing import client_for

pytestmark = pytest.mark.django_db

PAGE = "/customers/people/"


def _sidebar(client, **cookies) -> str:
    for name, value in cookies.items():
        client.cookies[name] = value
    html = client.get(PAGE).content.decode()
    return re.search(r'<nav class="sidebar.*?</nav>', html, re.S).group(0)


def _sections(sidebar: str) -> list[str]:
    return re.findall(r'data-nav-section="([a-z]+)"', sidebar)


def test_the_fragment_is_rendered_once_then_reused(personas):
    _render_sidebar.cache_clear()
    client = client_for(personas.rep)
    first = _sidebar(client)
    misses = _render_sidebar.cache_info().misses
    assert _sidebar(client) == first
    assert _render_sidebar.cache_info().misses == misses  # the second page reused it
    assert _render_sidebar.cache_info().hits >= 1


def test_another_language_shows_on_the_next_request(personas):
    client = client_for(personas.rep)
    english = _sidebar(client, **{settings.LANGUAGE_COOKIE_NAME: "en"})
    indonesian = _sidebar(client, **{settings.LANGUAGE_COOKIE_NAME: "id"})
    assert "> People</a>" in english and "> People</a>" not in indonesian
    assert "> Perorangan</a>" in indonesian


def test_each_role_sees_its_own_entries(personas):
    admin = _sidebar(client_for(personas.admin))
    readonly = _sidebar(client_for(personas.readonly))
    assert "/accounts/users/" in admin
    assert "/accounts/users/" not in readonly  # not the administrator's cached fragment
    assert "admin" in _sections(admin) and "admin" not in _sections(readonly)
    assert _sidebar(client_for(personas.admin)) == admin


def test_a_role_given_a_module_sees_it_on_the_next_request(personas):
    client = client_for(personas.readonly)
    assert "privacy" not in _sections(_sidebar(client))
    role = personas.readonly.role
    role.permissions = {**role.permissions, "privacy": ["view"]}
    role.save()
    assert "privacy" in _sections(_sidebar(client))
    role.permissions = {k: v for k, v in role.permissions.items() if k != "privacy"}
    role.save()
    assert "privacy" not in _sections(_sidebar(client))


def test_a_folded_section_and_the_active_entry(personas):
    client = client_for(personas.rep)
    open_ = _sidebar(client)
    assert 'aria-controls="nav-sales" aria-expanded="true"' in open_
    folded = _sidebar(client, relasi_nav="sales.service")
    assert 'aria-controls="nav-sales" aria-expanded="false"' in folded
    # The current page's section stays open even when folded, its entry highlighted.
    customers = _sidebar(client, relasi_nav="customers")
    assert 'aria-controls="nav-customers" aria-expanded="true"' in customers
    assert 'href="/customers/people/" aria-current="page"' in customers
    html = client.get("/customers/organisations/").content.decode()
    assert 'href="/customers/organisations/" aria-current="page"' in html
    assert 'href="/customers/people/" aria-current="page"' not in html


def test_templates_are_compiled_once(settings):
    """Production settings (no DEBUG) keep compiled templates: the cached loader, for pages
    and for the form renderer's widget templates alike."""
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    assert not settings.DEBUG
    for engine in (engines["django"].engine, get_default_renderer().engine.engine):
        assert [type(loader).__name__ for loader in engine.template_loaders] == ["Loader"]
        assert type(engine.template_loaders[0]).__module__ == "django.template.loaders.cached"
