"""Writing the audit trail. Actions call these explicitly (no signal receivers)."""

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from relasi.core.choices import AuditAction
from relasi.core.models import AuditEvent

security_log = logging.getLogger("relasi.security")


def jsonable(value: Any) -> Any:
    """A JSON-safe rendering of a field value for diffs."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Concrete field values of `obj` (foreign keys as their display text)."""
    data: dict[str, Any] = {}
    excluded = getattr(obj, "audit_exclude", ())  # secrets never enter the audit trail
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in ("version", "updated_at") or field.name in excluded:
            continue
        if fields is not None and field.name not in fields:
            continue
        if getattr(field, "audit_skip", False):  # a blind index: a keyed hash, nothing to read
            continue
        if getattr(field, "sealed", False):  # an encrypted field: that it changed, nothing more
            from relasi.core.crypto import audit_marker

            data[field.name] = audit_marker(getattr(obj, field.attname))
        elif field.is_relation:
            raw = getattr(obj, field.attname)
            data[field.name] = str(getattr(obj, field.name)) if raw is not None else None
        else:
            data[field.name] = jsonable(getattr(obj, field.name))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [before, after]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    message: str = "",
    ip: str | None = None,
    model: type[models.Model] | None = None,
    object_repr: str = "",
) -> AuditEvent:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    target_model = model or (obj._meta.model if obj is not None else None)
    row = AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=(actor_obj.get_username() if actor_obj else "system")[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(target_model) if target_model else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=jsonable(changes or {}),
        message=message[:300],
        ip=ip,
    )
    from relasi.core import events

    events.audited(row, obj, target_model)  # the event outbox, in the same transaction
    return row


def security_event(event: str, request: Any = None, user: Any = None, **details: Any) -> None:
    """A security event: a structured log line plus an audit row (SECURITY.md check 27)."""
    ip = client_ip(request) if request is not None else None
    who = user if user is not None else getattr(request, "user", None)
    username = who.get_username() if getattr(who, "is_authenticated", False) else ""
    security_log.info(
        # Details are nested: keys such as "name" would clash with LogRecord's own attributes.
        event,
        extra={"event": event, "user": username, "ip": ip, "details": jsonable(details)},
    )
    record(who, AuditAction.SECURITY, message=event, changes=details, ip=ip)


def client_ip(request: Any) -> str | None:
    """The client's address; behind a trusted proxy (BEHIND_PROXY) the address it appended
    to X-Forwarded-For, never one the client could have written itself."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if last := forwarded.split(",")[-1].strip():
            return last[:45]
    return request.META.get("REMOTE_ADDR") or None
