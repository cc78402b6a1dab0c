"""Every change to webhook endpoints (house rule: writes go through actions)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.webhooks import delivery, events, ssrf
from relasi.webhooks.models import Delivery, WebhookEndpoint, new_secret

FIELDS = ("name", "url", "event_types", "active")


def clean(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in FIELDS}
    if "url" in out:
        try:
            ssrf.resolve(str(out["url"]))
        except ssrf.UnsafeURL as exc:
            raise ValidationError({"url": str(exc)}) from exc
    if "event_types" in out:
        wanted = list(dict.fromkeys(out["event_types"] or []))
        unknown = [t for t in wanted if t != "*" and t not in events.type_names()]
        if unknown:
            raise ValidationError(
                {"event_types": _("Unknown event types: %(t)s") % {"t": ", ".join(unknown)}}
            )
        if not wanted:
            raise ValidationError({"event_types": _("Choose at least one event type.")})
        out["event_types"] = wanted
    return out


def create_endpoint(actor: Any, data: dict[str, Any]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown once; stored sealed)."""
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint(owner=actor, **clean(data))
        endpoint.set_secret(secret)
        endpoint.full_clean()
        endpoint.save()
        audit.record(actor, AuditAction.CREATE, endpoint, changes={"url": [None, endpoint.url]})
    return endpoint, secret


def update_endpoint(
    actor: Any, endpoint: WebhookEndpoint, data: dict[str, Any], expected_version: int | None
) -> WebhookEndpoint:
    values = clean(data)
    switch_on = values.get("active") is True and not endpoint.active
    with transaction.atomic():
        updated = records.update_record(actor, endpoint, values, expected_version=expected_version)
        if switch_on:
            delivery.enable(updated)
            updated.refresh_from_db()
    return updated


def rotate_secret(actor: Any, endpoint: WebhookEndpoint) -> str:
    secret = new_secret()
    with transaction.atomic():
        endpoint.set_secret(secret)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(sealed_secret=endpoint.sealed_secret)
        audit.record(actor, AuditAction.UPDATE, endpoint, message="secret rotated")
    return secret


def delete_endpoint(actor: Any, endpoint: WebhookEndpoint) -> None:
    records.delete_record(actor, endpoint)


def redeliver(actor: Any, row: Delivery) -> Delivery:
    with transaction.atomic():
        audit.record(actor, AuditAction.UPDATE, row.endpoint, message=f"redeliver {row.event.uid}")
        return delivery.redeliver(row)
