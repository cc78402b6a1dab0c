"""SECURITY.md check 4 and fault F7: TOTP single-use and time-bound (±1 step), recovery codes
hashed and single-use, two-factor enforceable per role."""

import datetime as dt
import re

import pyotp
import pytest
import time_machine
from django.test import Client

from relasi.accounts.models import ApiToken, Role, User
from relasi.accounts.twofactor import STEP
from relasi.core.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db
# The middle of a 30-second step, so ±1 step is unambiguous.
NOW = dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC)


def _enable(user: User) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    User.objects.filter(pk=user.pk).update(totp_secret=secret, totp_enabled=True)
    return pyotp.TOTP(secret)


def _password_step(username: str = "rep") -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/2fa/verify/"
    assert "_auth_user_id" not in client.session
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_password_alone_does_not_sign_in_when_2fa_on(personas):
    _enable(personas.rep)
    client = _password_step()
    assert client.get("/").status_code == 302


def test_valid_code_signs_in_and_replay_refused(personas):
    totp = _enable(personas.rep)
    with time_machine.travel(NOW, tick=False):
        code = totp.now()
        client = _password_step()
        assert client.post("/accounts/2fa/verify/", {"code": code}).status_code == 302
        assert _signed_in(client)
        replay = _password_step()
        response = replay.post("/accounts/2fa/verify/", {"code": code})
        assert response.status_code == 400
        assert not _signed_in(replay)


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (-2 * STEP, False),
        (-STEP, True),
        (0, True),
        (STEP, True),
        (2 * STEP, False),
        (-600, False),
        (600, False),
    ],
)
def test_clock_skew_window(personas, offset, accepted):
    totp = _enable(personas.rep)
    code = totp.at(NOW + dt.timedelta(seconds=offset))
    with time_machine.travel(NOW, tick=False):
        client = _password_step()
        response = client.post("/accounts/2fa/verify/", {"code": code})
        assert (response.status_code == 302) is accepted
        assert _signed_in(client) is accepted


def test_older_step_refused_after_newer_used(personas):
    totp = _enable(personas.rep)
    with time_machine.travel(NOW, tick=False):
        current = totp.at(NOW)
        previous = totp.at(NOW - dt.timedelta(seconds=STEP))
        assert _password_step().post("/accounts/2fa/verify/", {"code": current}).status_code == 302
        assert _password_step().post("/accounts/2fa/verify/", {"code": previous}).status_code == 400


def _setup_2fa(client: Client) -> tuple[pyotp.TOTP, list[str]]:
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200
    secret = client.session["pending_totp_secret"]
    totp = pyotp.TOTP(secret)
    response = client.post(
        "/accounts/2fa/setup/", {"code": totp.now(), "current_password": PASSWORD}
    )
    assert response.status_code == 200
    codes = re.findall(r"\b[0-9a-f]{6}-[0-9a-f]{6}\b", response.content.decode())
    return totp, codes


def test_setup_requires_current_password(personas):
    client = client_for(personas.rep)
    client.get("/accounts/2fa/setup/")
    totp = pyotp.TOTP(client.session["pending_totp_secret"])
    response = client.post(
        "/accounts/2fa/setup/", {"code": totp.now(), "current_password": "not my password!"}
    )
    assert response.status_code == 200
    assert b"recovery-codes" not in response.content
    assert not User.objects.get(pk=personas.rep.pk).totp_enabled


def test_setup_rejects_wrong_code(personas):
    client = client_for(personas.rep)
    client.get("/accounts/2fa/setup/")
    client.post("/accounts/2fa/setup/", {"code": "123456", "current_password": PASSWORD})
    assert not User.objects.get(pk=personas.rep.pk).totp_enabled


def test_recovery_codes_hashed_and_single_use(personas):
    with time_machine.travel(NOW, tick=False):
        _totp, codes = _setup_2fa(client_for(personas.rep))
    assert codes
    user = User.objects.get(pk=personas.rep.pk)
    assert user.totp_enabled
    assert len(codes) == 10 and len(user.recovery_codes) == 10
    stored = " ".join(user.recovery_codes)
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    client = _password_step()
    assert client.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 302
    assert _signed_in(client)
    assert len(User.objects.get(pk=user.pk).recovery_codes) == 9
    again = _password_step()
    assert again.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 400


def test_setup_code_cannot_be_replayed_at_login(personas):
    with time_machine.travel(NOW, tick=False):
        totp, _codes = _setup_2fa(client_for(personas.rep))
        response = _password_step().post("/accounts/2fa/verify/", {"code": totp.now()})
        assert response.status_code == 400


def test_verify_without_pending_login_redirects(personas):
    assert Client().get("/accounts/2fa/verify/").status_code == 302
    assert Client().post("/accounts/2fa/verify/", {"code": "123456"}).url == "/accounts/login/"


@pytest.fixture
def sales_requires_2fa(personas):
    Role.objects.filter(slug="sales").update(require_2fa=True)
    return personas


@pytest.mark.parametrize(
    "path", ["/", "/customers/people/", "/accounts/profile/", "/accounts/tokens/", "/search/?q=ab"]
)
def test_role_requiring_2fa_forces_setup(sales_requires_2fa, path):
    client = client_for(sales_requires_2fa.rep)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/setup/"


def test_role_requiring_2fa_refuses_api_session_and_tokens(sales_requires_2fa):
    client = client_for(sales_requires_2fa.rep)
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    token, raw = ApiToken.generate(user=sales_requires_2fa.rep, name="old", scopes={"*": "read"})
    token.save()
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403


def test_role_requiring_2fa_released_after_setup(sales_requires_2fa):
    with time_machine.travel(NOW, tick=False):
        client = client_for(sales_requires_2fa.rep)
        _setup_2fa(client)
        assert client.get("/customers/people/").status_code == 200
        assert client.get("/api/v1/accounts/me").status_code == 200


def test_role_requiring_2fa_cannot_disable(sales_requires_2fa):
    _enable(sales_requires_2fa.rep)
    client = client_for(sales_requires_2fa.rep)
    client.post("/accounts/2fa/disable/", {"current_password": PASSWORD})
    assert User.objects.get(pk=sales_requires_2fa.rep.pk).totp_enabled


def test_disable_requires_current_password(personas):
    _enable(personas.rep)
    client = client_for(personas.rep)
    response = client.post("/accounts/2fa/disable/", {"current_password": "wrong password!"})
    assert response.status_code == 200
    assert User.objects.get(pk=personas.rep.pk).totp_enabled
    response = client.post("/accounts/2fa/disable/", {"current_password": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(pk=personas.rep.pk)
    assert not user.totp_enabled and user.totp_secret == "" and user.recovery_codes == []
