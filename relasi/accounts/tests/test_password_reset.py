"""SECURITY.md check 5: password reset never signs in, never bypasses 2FA, its link works once
and expires; no default accounts exist after migrating."""

import json
import re
import time
from pathlib import Path

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.test import Client

from relasi.accounts.models import User
from relasi.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new monsoon passphrase"


def _reset_link(client: Client, mailoutbox, email: str = "rep@example.test") -> str:
    response = client.post("/accounts/password-reset/", {"email": email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    match = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", mailoutbox[0].body)
    assert match
    return match.group(1)


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    first = client.get(link)
    assert first.status_code == 302  # Django swaps the token for a session marker
    form_url = first.url
    return form_url, client.post(form_url, {"new_password1": password, "new_password2": password})


def test_unknown_address_gets_same_answer_and_no_mail(personas, mailoutbox):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert response.url == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_reset_changes_password_but_does_not_sign_in(personas, mailoutbox):
    client = Client()
    link = _reset_link(client, mailoutbox)
    _form_url, response = _set_password(client, link)
    assert response.status_code == 302
    assert response.url == "/accounts/reset/done/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    assert User.objects.get(pk=personas.rep.pk).check_password(NEW_PASSWORD)


def test_reset_link_single_use(personas, mailoutbox):
    client = Client()
    link = _reset_link(client, mailoutbox)
    _set_password(client, link)
    again = Client().get(link, follow=True)
    assert b"not valid any more" in again.content
    assert b"new_password1" not in again.content
    _set_password_attempt(Client(), link, "yet another long passphrase")
    assert User.objects.get(pk=personas.rep.pk).check_password(NEW_PASSWORD)


def _set_password_attempt(client: Client, link: str, password: str):
    first = client.get(link)
    url = first.url if first.status_code == 302 else link
    return url, client.post(url, {"new_password1": password, "new_password2": password})


def test_reset_link_expires(personas, mailoutbox):
    client = Client()
    link = _reset_link(client, mailoutbox)
    # A float destination keeps the local time zone (naive now() is what Django's tokens use).
    with time_machine.travel(time.time() + settings.PASSWORD_RESET_TIMEOUT + 60):
        late = Client()
        _url, response = _set_password_attempt(late, link, NEW_PASSWORD)
        assert b"not valid any more" in response.content
    assert User.objects.get(pk=personas.rep.pk).check_password(PASSWORD)


def test_reset_token_invalid_after_login(personas, mailoutbox):
    """Signing in (last_login changes) invalidates outstanding reset links."""
    client = Client()
    link = _reset_link(client, mailoutbox)
    assert (
        Client().post("/accounts/login/", {"username": "rep", "password": PASSWORD}).status_code
        == 302
    )
    _url, _response = _set_password_attempt(Client(), link, NEW_PASSWORD)
    assert User.objects.get(pk=personas.rep.pk).check_password(PASSWORD)


def test_reset_does_not_bypass_2fa(personas, mailoutbox):
    secret = pyotp.random_base32()
    User.objects.filter(pk=personas.rep.pk).update(totp_secret=secret, totp_enabled=True)
    client = Client()
    link = _reset_link(client, mailoutbox)
    _set_password(client, link)
    login = Client()
    response = login.post("/accounts/login/", {"username": "rep", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/verify/"
    assert login.get("/").status_code == 302
    assert User.objects.get(pk=personas.rep.pk).totp_enabled


def test_reset_signs_out_existing_sessions(personas, mailoutbox):
    existing = Client()
    assert (
        existing.post("/accounts/login/", {"username": "rep", "password": PASSWORD}).status_code
        == 302
    )
    assert existing.get("/").status_code == 200
    client = Client()
    _set_password(client, _reset_link(client, mailoutbox))
    assert existing.get("/").status_code == 302


def test_new_password_must_follow_rules(personas, mailoutbox):
    client = Client()
    link = _reset_link(client, mailoutbox)
    _url, response = _set_password(client, link, "relasi123")
    assert response.status_code == 200
    assert User.objects.get(pk=personas.rep.pk).check_password(PASSWORD)


def test_no_default_accounts_after_migrate(db):
    assert User.objects.count() == 0


def test_no_credentials_in_fixtures_or_migrations():
    root = Path(settings.BASE_DIR) / "relasi"
    for path in root.rglob("*"):
        if path.suffix == ".json" and "fixtures" in path.parts:
            data = json.loads(path.read_text())
            assert not any(
                isinstance(row, dict) and "password" in row.get("fields", {}) for row in data
            ), path
        if path.suffix == ".py" and "migrations" in path.parts:
            text = path.read_text()
            for needle in ("create_user(", "create_superuser(", "make_password(", "set_password("):
                assert needle not in text, f"{path} creates an account"
