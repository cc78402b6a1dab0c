"""SECURITY.md checks 26-28: one JSON error shape, tokens hashed/scoped/revocable and never in
URLs, docs not public, log lines not forgeable, no PII or tokens in logs, no tracebacks."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import path

from relasi import urls as project_urls
from relasi.accounts.models import ApiToken
from relasi.core.testing import PASSWORD, client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def token_for(user, scopes) -> str:
    token, raw = ApiToken.generate(user=user, name="t", scopes=scopes)
    token.save()
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_error_shapes(personas):
    customer = person(personas.rep)
    assert_error(Client().get("/api/v1/customers/people"), 401)
    ro = token_for(personas.rep, {"customers": "read"})
    assert_error(Client().get("/api/v1/accounts/users", **bearer(ro)), 403)
    assert_error(Client().get("/api/v1/customers/people/999999", **bearer(ro)), 404)
    rw = token_for(personas.rep, {"customers": "write"})
    url = f"/api/v1/customers/people/{customer.pk}"
    assert_error(
        Client().patch(url, {"version": "x"}, content_type="application/json", **bearer(rw)), 422
    )
    ok = Client().patch(
        url, {"first_name": "A", "version": 1}, content_type="application/json", **bearer(rw)
    )
    assert ok.status_code == 200
    assert_error(
        Client().patch(
            url, {"first_name": "B", "version": 1}, content_type="application/json", **bearer(rw)
        ),
        409,
    )
    bad_json = Client().post(
        "/api/v1/customers/people", "{not json", content_type="application/json", **bearer(rw)
    )
    assert bad_json.status_code in (400, 422)
    assert bad_json.json()["error"]["status"] == bad_json.status_code


def test_token_in_query_string_rejected(personas):
    raw = token_for(personas.rep, {"*": "read"})
    for param in ("token", "access_token", "api_key", "key"):
        assert Client().get(f"/api/v1/accounts/me?{param}={raw}").status_code == 401


def test_token_stored_hashed_and_shown_once(personas):
    client = client_for(personas.rep)
    response = client.post("/accounts/tokens/", {"name": "script", "scope__customers": "read"})
    assert response.status_code == 200
    import re

    raw = re.search(r"rls_[A-Za-z0-9_\-]+", response.content.decode()).group(0)
    stored = ApiToken.objects.get(user=personas.rep)
    assert raw not in (stored.key_hash, stored.key_prefix)
    assert len(stored.key_hash) == 64 and raw.startswith(stored.key_prefix)
    assert raw not in client.get("/accounts/tokens/").content.decode()
    assert Client().get("/api/v1/accounts/me", **bearer(raw)).json()["username"] == "rep"


def test_revocation_and_last_used(personas):
    client = client_for(personas.rep)
    raw = token_for(personas.rep, {"*": "read"})
    token = ApiToken.objects.get(user=personas.rep)
    assert token.last_used_at is None
    assert Client().get("/api/v1/accounts/me", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert_error(Client().get("/api/v1/accounts/me", **bearer(raw)), 401)
    # someone else's token cannot be revoked
    other = token_for(personas.teammate, {"*": "read"})
    other_pk = ApiToken.objects.get(user=personas.teammate).pk
    assert client.post(f"/accounts/tokens/{other_pk}/revoke/").status_code == 404
    assert Client().get("/api/v1/accounts/me", **bearer(other)).status_code == 200


def test_expired_token_rejected(personas):
    import datetime as dt

    from django.utils import timezone

    raw = token_for(personas.rep, {"*": "read"})
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert Client().get("/api/v1/accounts/me", **bearer(raw)).status_code == 401


def test_scopes_enforced(personas):
    customer = person(personas.rep)
    read = token_for(personas.rep, {"customers": "read"})
    other_module = token_for(personas.rep, {"sales": "write"})
    url = f"/api/v1/customers/people/{customer.pk}"
    assert Client().get(url, **bearer(read)).status_code == 200
    assert_error(
        Client().post(
            "/api/v1/customers/people",
            {"first_name": "X"},
            content_type="application/json",
            **bearer(read),
        ),
        403,
    )
    assert_error(Client().delete(url, **bearer(read)), 403)
    assert_error(Client().get(url, **bearer(other_module)), 403)
    # a token never exceeds its user's role: the Sales role cannot delete
    write = token_for(personas.rep, {"customers": "write"})
    assert_error(Client().delete(url, **bearer(write)), 403)


def test_inactive_users_token_rejected(personas):
    raw = token_for(personas.rep, {"*": "read"})
    personas.rep.is_active = False
    personas.rep.save()
    assert Client().get("/api/v1/accounts/me", **bearer(raw)).status_code == 401


@override_settings(API_DOCS_PUBLIC=False)
def test_docs_need_login(personas):
    assert Client().get("/api/v1/docs").status_code in (302, 401, 403)
    assert Client().get("/api/v1/openapi.json").status_code in (302, 401, 403)
    assert client_for(personas.rep).get("/api/v1/openapi.json").status_code == 200


def test_login_log_line_cannot_be_forged(personas, security_log):
    evil = 'rep\r\n{"level": "INFO", "message": "login.success", "user": "admin"}\nX'
    Client().post("/accounts/login/", {"username": evil, "password": "wrong password!!"})
    lines = [line for line in security_log.lines if "login.failed" in line]
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\r" not in lines[0]
    parsed = json.loads(lines[0])
    assert parsed["message"] == "login.failed"
    assert "login.success" not in [json.loads(x)["message"] for x in security_log.lines]


def test_no_pii_or_secrets_in_logs(personas, security_log, mailoutbox):
    raw = token_for(personas.rep, {"*": "read"})
    customer = person(
        personas.rep,
        "Secret",
        "Person",
        emails=["secret.person@example.test"],
        phones=["081234567890"],
    )
    client = Client()
    client.post("/accounts/login/", {"username": "rep", "password": PASSWORD})
    client.post("/accounts/login/", {"username": "rep", "password": "wrong password!!"})
    client.get("/api/v1/accounts/me", **bearer(raw))
    client.get("/api/v1/accounts/me", **bearer(raw + "x"))
    client.post("/accounts/password-reset/", {"email": "rep@example.test"})
    client_for(personas.rep).get("/search/", {"q": "secret.person@example.test"})
    client_for(personas.rep).get(f"/customers/people/{customer.pk}/")
    text = "\n".join(security_log.lines)
    assert security_log.lines
    for needle in (raw, PASSWORD, "secret.person@example.test", "081234567890", "234567890"):
        assert needle not in text


def boom(request):
    raise RuntimeError("kaboom secret detail")


urlpatterns = [path("boom/", boom), *project_urls.urlpatterns]
handler500 = project_urls.handler500


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_page_has_no_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Traceback" not in body and "kaboom" not in body and "RuntimeError" not in body
