"""The one source of absolute URLs: `SITE_URL` (set in production, derived from HOST and PORT
by `make run`). Every e-mail, feed and link builder uses it, never the request's Host header,
which a client chooses (a password-reset link must not point at an attacker's host)."""

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    """The base URL without a trailing slash, e.g. "https://crm.example.co.id"."""
    return str(settings.SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    """An absolute URL for a site path ("/portal/" → "https://crm…/portal/")."""
    return site_url() + ("" if path.startswith("/") else "/") + path


def scheme() -> str:
    return urlsplit(site_url()).scheme or "http"


def domain() -> str:
    """Host and port of the site ("crm.example.co.id", "127.0.0.1:8080")."""
    return urlsplit(site_url()).netloc
