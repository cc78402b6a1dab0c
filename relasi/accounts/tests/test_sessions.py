"""SECURITY.md checks 7-9: session id rotation, server-side logout, cookie flags, idle and
absolute lifetime, listing and ending sessions, re-authentication for sensitive changes."""

import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from relasi.accounts.models import User, UserSession
from relasi.core.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db
COOKIE = settings.SESSION_COOKIE_NAME


def login(username: str = "rep", agent: str = "pytest") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_session_key_rotates_on_login(personas):
    store = SessionStore()
    store["planted"] = "by attacker"
    store.create()
    client = Client()
    client.cookies[COOKIE] = store.session_key
    response = client.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies[COOKIE].value
    assert new_key != store.session_key
    assert not Session.objects.filter(session_key=store.session_key).exists()
    assert UserSession.objects.filter(session_key=new_key, user=personas.rep).exists()


def test_logout_invalidates_server_side(personas):
    client = login()
    old_key = client.cookies[COOKIE].value
    assert signed_in(client)
    assert client.post("/accounts/logout/").status_code == 302
    replay = Client()
    replay.cookies[COOKIE] = old_key
    response = replay.get("/customers/people/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not UserSession.objects.filter(session_key=old_key).exists()


def test_logout_requires_post(personas):
    client = login()
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)


def test_cookie_flags_in_development(personas):
    client = Client()
    client.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    cookie = client.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


@override_settings(
    SESSION_COOKIE_NAME="__Host-sessionid",
    CSRF_COOKIE_NAME="__Host-csrftoken",
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_cookie_flags_over_https(personas):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["path"] == "/"
    response = client.post(
        "/accounts/login/", {"username": "rep", "password": PASSWORD}, secure=True
    )
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and not cookie["domain"]


def test_production_settings_use_host_prefix_and_secure(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECURE_HTTPS": "1",
        "RELASI_TESTING": "0",
        "SECRET_KEY": "k" * 60,
        "RELASI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "relasi.settings",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.SESSION_COOKIE_AGE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "Lax",
        str(12 * 3600),
        "31536000",
        "True",
    ]


def test_idle_timeout(personas):
    start = time.time()
    with time_machine.travel(start, tick=False) as traveller:
        client = login()
        traveller.shift(29 * 60)
        assert signed_in(client)
        traveller.shift(29 * 60)  # active 29 min ago: still fine
        assert signed_in(client)
        traveller.shift(31 * 60)
        response = client.get("/customers/people/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
        assert not UserSession.objects.filter(user=personas.rep).exists()


def test_absolute_lifetime(personas):
    start = time.time()
    with time_machine.travel(start, tick=False) as traveller:
        client = login()
        for _ in range(40):
            traveller.shift(25 * 60)
            if not signed_in(client):
                break
        elapsed = time.time() - start
        assert elapsed > 11.5 * 3600
        assert elapsed <= 12 * 3600 + 25 * 60
        assert not signed_in(client)


def test_expired_session_on_api_gives_401_json(personas):
    start = time.time()
    with time_machine.travel(start, tick=False) as traveller:
        client = login()
        assert client.get("/api/v1/accounts/me").status_code == 200
        traveller.shift(31 * 60)
        response = client.get("/api/v1/accounts/me")
        assert response.status_code == 401
        assert response.json()["error"]["status"] == 401


def test_user_sees_and_ends_other_session(personas):
    laptop = login(agent="Laptop browser")
    phone = login(agent="Phone browser")
    page = laptop.get("/accounts/profile/")
    assert b"Laptop browser" in page.content and b"Phone browser" in page.content
    # session keys are credentials: never printed in the page
    assert phone.cookies[COOKIE].value.encode() not in page.content
    assert laptop.cookies[COOKIE].value.encode() not in page.content
    phone_session = UserSession.objects.get(session_key=phone.cookies[COOKIE].value)
    response = laptop.post(f"/accounts/sessions/{phone_session.pk}/end/")
    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(laptop)


def test_cannot_end_someone_elses_session(personas):
    mine = login("rep")
    theirs = login("teammate")
    other = UserSession.objects.get(session_key=theirs.cookies[COOKIE].value)
    assert mine.post(f"/accounts/sessions/{other.pk}/end/").status_code == 404
    assert signed_in(theirs)


def test_end_all_other_sessions(personas):
    here = login()
    others = [login(agent=f"agent {i}") for i in range(3)]
    assert here.post("/accounts/sessions/end-others/").status_code == 302
    assert signed_in(here)
    assert not any(signed_in(c) for c in others)


def test_admin_ends_users_sessions(personas):
    rep = login("rep")
    admin = client_for(personas.admin)
    response = admin.post(f"/accounts/users/{personas.rep.pk}/end-sessions/")
    assert response.status_code == 302
    assert not signed_in(rep)


def test_non_admin_cannot_end_users_sessions(personas):
    teammate = login("teammate")
    rep = client_for(personas.rep)
    assert rep.post(f"/accounts/users/{personas.teammate.pk}/end-sessions/").status_code == 403
    assert signed_in(teammate)


def test_deactivating_user_ends_sessions(personas):
    from relasi.accounts import actions

    rep = login("rep")
    actions.update_user(personas.admin, personas.rep, {"is_active": False})
    assert not signed_in(rep)


def test_password_change_ends_other_sessions_keeps_this_one(personas):
    here = login()
    there = login(agent="other")
    new = "a freshly chosen long passphrase"
    response = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(there)
    assert UserSession.objects.filter(user=personas.rep).count() == 1


def test_password_change_requires_old_password(personas):
    client = login()
    new = "a freshly chosen long passphrase"
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong password!!", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=personas.rep.pk).check_password(PASSWORD)


def test_email_change_requires_current_password(personas):
    client = login()
    response = client.post(
        "/accounts/email/", {"email": "new@example.test", "current_password": "wrong one!!"}
    )
    assert response.status_code == 200
    assert User.objects.get(pk=personas.rep.pk).email == "rep@example.test"
    response = client.post(
        "/accounts/email/", {"email": "new@example.test", "current_password": PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=personas.rep.pk).email == "new@example.test"


def test_email_change_refuses_taken_address(personas):
    client = login()
    client.post(
        "/accounts/email/", {"email": "teammate@example.test", "current_password": PASSWORD}
    )
    assert User.objects.get(pk=personas.rep.pk).email == "rep@example.test"


def test_enabling_2fa_ends_other_sessions(personas):
    import pyotp

    here = login()
    there = login(agent="other")
    here.get("/accounts/2fa/setup/")
    totp = pyotp.TOTP(here.session["pending_totp_secret"])
    here.post("/accounts/2fa/setup/", {"code": totp.now(), "current_password": PASSWORD})
    assert User.objects.get(pk=personas.rep.pk).totp_enabled
    assert signed_in(here)
    assert not signed_in(there)
