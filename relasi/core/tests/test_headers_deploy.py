"""SECURITY.md checks 21 and 29: security headers on HTML, JSON and downloads, and
`check --deploy` clean with production settings."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client, override_settings

from relasi.accounts.models import ApiToken
from relasi.core.testing import client_for
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db


def assert_common(response, content_type: str) -> None:
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_html_page_headers(personas):
    response = client_for(personas.rep).get("/customers/people/")
    assert_common(response, "text/html; charset=utf-8")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "no-store" in response["Cache-Control"]


def test_nonce_changes_per_response(personas):
    client = client_for(personas.rep)
    first = client.get("/")["Content-Security-Policy"]
    second = client.get("/")["Content-Security-Policy"]
    assert first != second


def test_login_page_headers():
    response = Client().get("/accounts/login/")
    assert_common(response, "text/html; charset=utf-8")


def test_json_api_headers(personas):
    token, raw = ApiToken.generate(user=personas.rep, name="t", scopes={"*": "read"})
    token.save()
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert_common(response, "application/json; charset=utf-8")
    assert "no-store" in response["Cache-Control"]
    error = Client().get("/api/v1/accounts/me")
    assert_common(error, "application/json; charset=utf-8")


def test_download_headers(personas):
    person(personas.rep)
    response = client_for(personas.rep).get("/customers/people/export/")
    assert_common(response, "text/csv; charset=utf-8")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


def test_error_pages_have_headers(personas):
    response = client_for(personas.rep).get("/customers/people/999999/")
    assert response.status_code == 404
    assert_common(response, "text/html; charset=utf-8")


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_over_https(personas):
    response = client_for(personas.rep).get("/", secure=True)
    hsts = response["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELASI_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        SECURE_HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(60)[:60],
        EMAIL_URL="smtp://localhost:25",
        ALLOWED_HOSTS="crm.example.com",
        SITE_URL="https://crm.example.com",
        RELASI_VAR_DIR=str(tmp_path),
        RELASI_FIELD_KEYS=Fernet.generate_key().decode(),
        DJANGO_SETTINGS_MODULE="relasi.settings",
    )
    env.update(extra)
    return env


def test_check_deploy_clean(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"SITE_URL": "http://crm.example.com"}, "relasi.E002"),
        ({"SITE_URL": "https://elsewhere.example"}, "relasi.E003"),
        ({"SITE_URL": "crm.example.com"}, "relasi.E001"),
        ({"EMAIL_URL": "consolemail://"}, "relasi.E004"),
        ({"RELASI_FIELD_KEYS": "not-a-key"}, "relasi.E005"),
    ],
)
def test_check_deploy_requires_site_url_and_mail_server(tmp_path, extra, error):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and error in result.stdout + result.stderr


def test_production_has_no_debug_tools(tmp_path):
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " any('debug' in a for a in s.INSTALLED_APPS), s.MAILERS['delivery']['BACKEND'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[:4] == ["False", "True", "True", "False"]
    assert out[4].endswith("smtp.EmailBackend")
