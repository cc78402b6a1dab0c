"""SECURITY.md check 3: every authentication path blocks attempt N+1, even with the right
secret, answers 429 with Retry-After and logs a security event."""

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from relasi.accounts.models import ApiToken
from relasi.core.choices import AuditAction
from relasi.core.models import AuditEvent
from relasi.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = settings.LOGIN_FAILURE_LIMIT


def _security(message: str) -> bool:
    return AuditEvent.objects.filter(action=AuditAction.SECURITY, message=message).exists()


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_locked_per_username_even_with_correct_password(personas, security_log):
    client = Client()
    for _ in range(LIMIT):
        assert _login(client, "rep", "wrong password here").status_code == 400
    response = _login(client, "rep", PASSWORD, ip="10.9.9.9")  # other address, same account
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert _security("login.failed")
    assert _security("login.blocked")
    assert "login.blocked" in security_log.events()
    # another account is not affected
    assert _login(Client(), "teammate", PASSWORD, ip="10.9.9.8").status_code == 302


def test_email_and_username_share_one_counter(personas):
    client = Client()
    for i in range(LIMIT):
        name = "rep" if i % 2 else "rep@example.test"
        assert _login(client, name, "wrong password here").status_code == 400
    assert _login(client, "rep", PASSWORD).status_code == 429
    assert _login(client, "REP@example.test", PASSWORD).status_code == 429


def test_login_locked_per_ip_across_usernames(personas):
    client = Client()
    for i in range(LIMIT * 4):
        assert _login(client, f"nobody{i}", "wrong password here").status_code == 400
    response = _login(client, "teammate", PASSWORD)
    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert _login(Client(), "teammate", PASSWORD, ip="10.0.0.2").status_code == 302


def test_spoofed_forwarded_for_does_not_reset_ip_counter(personas):
    client = Client()
    for i in range(LIMIT * 4):
        client.post(
            "/accounts/login/",
            {"username": f"nobody{i}", "password": "x" * 12},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "teammate", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="8.8.8.8",
    )
    assert response.status_code == 429


def _enable_totp(user) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_enabled = True
    user.save()
    return pyotp.TOTP(secret)


def test_totp_verify_locked_after_failures(personas, security_log):
    totp = _enable_totp(personas.rep)
    client = Client()
    assert _login(client, "rep", PASSWORD).url == "/accounts/2fa/verify/"
    for _ in range(LIMIT):
        assert client.post("/accounts/2fa/verify/", {"code": "000000"}).status_code == 400
    response = client.post("/accounts/2fa/verify/", {"code": totp.now()})
    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert "_auth_user_id" not in client.session
    assert _security("mfa.failed") and _security("mfa.blocked")
    assert "mfa.blocked" in security_log.events()


def test_password_reset_requests_limited(personas, mailoutbox):
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/password-reset/", {"email": "rep@example.test"})
        assert response.status_code == 302
    response = client.post("/accounts/password-reset/", {"email": "rep@example.test"})
    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert len(mailoutbox) == 5
    assert _security("password_reset.blocked")


def test_password_reset_limited_per_address_across_ips(personas, mailoutbox):
    for i in range(5):
        Client().post(
            "/accounts/password-reset/", {"email": "rep@example.test"}, REMOTE_ADDR=f"10.1.0.{i}"
        )
    response = Client().post(
        "/accounts/password-reset/", {"email": "rep@example.test"}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429


def test_api_token_guessing_blocked_even_with_valid_token(personas, security_log):
    token, raw = ApiToken.generate(user=personas.rep, name="t", scopes={"*": "read"})
    token.save()
    client = Client()
    for i in range(LIMIT * 4):
        response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer rls_guess{i}")
        assert response.status_code == 401
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["status"] == 429
    assert _security("api_token.failed")
    assert "api_token.blocked" in security_log.events()
    # a different client address is not affected
    ok = Client().get(
        "/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="10.5.5.5"
    )
    assert ok.status_code == 200


@pytest.fixture
def tight_api_rate(monkeypatch):
    from relasi.api import api

    for throttle in api.throttle:
        monkeypatch.setattr(throttle, "num_requests", 3)
    return 3


def test_api_rate_limit_429_with_retry_after(personas, tight_api_rate, security_log):
    token, raw = ApiToken.generate(user=personas.rep, name="t", scopes={"*": "read"})
    token.save()
    client = Client()
    for _ in range(tight_api_rate):
        assert (
            client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
        )
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json() == {"error": {"status": 429, "message": "Too many requests."}}
    assert "api.throttled" in security_log.events()
    # the limit is per user: another user still gets through
    other, raw2 = ApiToken.generate(user=personas.teammate, name="t", scopes={"*": "read"})
    other.save()
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw2}").status_code == 200


def test_api_rate_limit_ignores_forwarded_for(personas, tight_api_rate):
    token, raw = ApiToken.generate(user=personas.rep, name="t", scopes={"*": "read"})
    token.save()
    client = Client()
    codes = [
        client.get(
            "/api/v1/accounts/me",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
            HTTP_X_FORWARDED_FOR=f"9.9.9.{i}",
        ).status_code
        for i in range(tight_api_rate + 1)
    ]
    assert codes[-1] == 429
