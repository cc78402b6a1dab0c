"""Issue #19: password-reset links come from SITE_URL (never the client's Host header), and a
new password (reset or change) offers to revoke the API tokens, ticked by default, and ends
the other sessions."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from relasi.accounts import actions
from relasi.accounts.models import ApiToken, UserSession
from relasi.core.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new monsoon passphrase"


def _reset_link(client: Client, mailoutbox, **extra) -> str:
    response = client.post("/accounts/password-reset/", {"email": "rep@example.test"}, **extra)
    assert response.status_code == 302
    return re.search(r"(\S+/accounts/reset/\S+/)", mailoutbox[-1].body).group(1)


def _token(user) -> ApiToken:
    token, _raw = actions.issue_token(user, "script", {"customers": ["view"]}, None)
    return token


def test_reset_link_uses_site_url_not_the_host_header(personas, mailoutbox, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://crm.example.co.id:8443"
    link = _reset_link(Client(), mailoutbox, HTTP_HOST="evil.example")
    assert link.startswith("https://crm.example.co.id:8443/accounts/reset/")
    assert "evil.example" not in mailoutbox[-1].body


def _open_reset_form(client: Client, mailoutbox) -> str:
    link = _reset_link(client, mailoutbox)
    first = client.get(link)
    assert first.status_code == 302
    return first.url


def test_reset_form_offers_token_revocation_ticked(personas, mailoutbox):
    client = Client()
    form_url = _open_reset_form(client, mailoutbox)
    page = client.get(form_url).content.decode()
    assert re.search(r'<input[^>]*name="revoke_tokens"[^>]*checked', page)


def test_reset_revokes_tokens_and_ends_every_session(personas, mailoutbox):
    token = _token(personas.rep)
    signed_in = Client()
    signed_in.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    assert UserSession.objects.filter(user=personas.rep).exists()
    client = Client()
    form_url = _open_reset_form(client, mailoutbox)
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "revoke_tokens": "on"}
    assert client.post(form_url, data).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not UserSession.objects.filter(user=personas.rep).exists()
    assert signed_in.get("/").status_code == 302  # signed out


def test_reset_keeps_tokens_when_unticked(personas, mailoutbox):
    token = _token(personas.rep)
    client = Client()
    form_url = _open_reset_form(client, mailoutbox)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("tick", [True, False])
def test_password_change_offers_token_revocation(personas, tick):
    token = _token(personas.rep)
    client = client_for(personas.rep)
    page = client.get("/accounts/password/").content.decode()
    assert re.search(r'<input[^>]*name="revoke_tokens"[^>]*checked', page)
    data = {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    if tick:
        data["revoke_tokens"] = "on"
    assert client.post("/accounts/password/", data).status_code == 302
    token.refresh_from_db()
    assert (token.revoked_at is not None) is tick
    assert client.get("/accounts/profile/").status_code == 200  # this session stays


def test_calendar_feed_url_uses_site_url(personas, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "http://127.0.0.1:8123"
    page = client_for(personas.rep).get("/activities/calendar/feed/", HTTP_HOST="evil.example")
    assert page.status_code == 200
    body = page.content.decode()
    assert "http://127.0.0.1:8123/" in body and "evil.example" not in body


def _settings_value(env: dict[str, str], expr: str) -> str:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RELASI_", "DJANGO_"))}
    base.pop("SITE_URL", None)
    base.update(env, DJANGO_SETTINGS_MODULE="relasi.settings")
    code = f"import django;django.setup();from django.conf import settings as s;print({expr})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_site_url_follows_host_and_port_of_make_run(tmp_path):
    env = {"HOST": "127.0.0.1", "PORT": "8123", "RELASI_VAR_DIR": str(tmp_path)}
    assert _settings_value(env, "s.SITE_URL") == "http://127.0.0.1:8123"
    makefile = (django_settings.BASE_DIR / "Makefile").read_text()
    assert "SITE_URL=$${SITE_URL:-http://$(SITE_HOST):$(PORT)}" in makefile
