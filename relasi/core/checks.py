"""System checks for the configuration Relasi needs: an absolute SITE_URL that production
answers to (core/links.py), a real mail server behind the outbox and field-encryption keys of
their own (`check --deploy`)."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host


@checks.register(checks.Tags.urls)
def site_url_is_absolute(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    parts = urlsplit(str(getattr(settings, "SITE_URL", "")))
    if parts.scheme in ("http", "https") and parts.hostname:
        return []
    return [
        checks.Error(
            "SITE_URL must be an absolute http(s) URL, e.g. https://crm.example.co.id.",
            id="relasi.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def site_url_for_production(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    parts = urlsplit(str(getattr(settings, "SITE_URL", "")))
    errors: list[checks.CheckMessage] = []
    if settings.SECURE_HTTPS and parts.scheme != "https":
        errors.append(
            checks.Error(
                "SITE_URL must start with https:// when SECURE_HTTPS is on: links in e-mails "
                "are built from it.",
                id="relasi.E002",
            )
        )
    if parts.hostname and not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        errors.append(
            checks.Error(
                f"The host of SITE_URL ({parts.hostname}) is not in ALLOWED_HOSTS.",
                id="relasi.E003",
            )
        )
    delivery = settings.MAILERS.get("delivery", {}).get("BACKEND", "")
    if delivery.endswith(("console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")):
        errors.append(
            checks.Error(
                "EMAIL_URL is not a mail server: e-mails would only be printed. Set EMAIL_URL "
                "to smtp://… or smtp+ssl://….",
                id="relasi.E004",
            )
        )
    return errors


@checks.register(checks.Tags.security)
def field_keys_valid(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from cryptography.fernet import Fernet

    from relasi.core.crypto import configured_keys

    errors: list[checks.CheckMessage] = []
    for number, key in enumerate(configured_keys(), start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                checks.Error(
                    f"RELASI_FIELD_KEYS: key {number} is not a Fernet key (32 url-safe "
                    "base64-encoded bytes). Make one with `manage.py rotate_field_keys "
                    "--generate-key`.",
                    id="relasi.E005",
                )
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def field_keys_for_production(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from relasi.core.crypto import uses_derived_key

    if not uses_derived_key():
        return []
    return [
        checks.Warning(
            "RELASI_FIELD_KEYS is not set: sensitive fields (NIK, bank accounts) are encrypted "
            "with a key derived from SECRET_KEY, so whoever has SECRET_KEY can read them and "
            "changing SECRET_KEY makes them unreadable.",
            hint="Set RELASI_FIELD_KEYS to a key of its own (docs/sensitive-fields.md).",
            id="relasi.W001",
        )
    ]
