"""Changes other systems may hear about (webhooks, the event feed).

Core stays below the app that writes the event outbox: it only hands each change to the
listeners registered here. Two sources, both inside the caller's transaction, so an event is
committed with its change or not at all:

- every audit row (`audit.record`, which every create/update/delete of a record goes through);
- `emit()`, for the few domain moments an audit row does not name (an SLA breached by the
  sweep, an inbound message, an order posted).
"""

from collections.abc import Callable
from typing import Any

from django.db import models

AuditListener = Callable[[Any, models.Model | None, type[models.Model] | None], None]
EventListener = Callable[[str, models.Model, dict[str, Any]], None]

_AUDIT: list[AuditListener] = []
_EMIT: list[EventListener] = []


def on_audit(listener: AuditListener) -> None:
    """`listener(audit_event, obj, model)` for every audit row written."""
    if listener not in _AUDIT:
        _AUDIT.append(listener)


def on_emit(listener: EventListener) -> None:
    """`listener(kind, obj, extra)` for every `emit()`."""
    if listener not in _EMIT:
        _EMIT.append(listener)


def audited(row: Any, obj: models.Model | None, model: type[models.Model] | None) -> None:
    for listener in _AUDIT:
        listener(row, obj, model)


def emit(kind: str, obj: models.Model, **extra: Any) -> None:
    """A domain event `kind` ("ticket.sla_breached") about `obj`."""
    for listener in _EMIT:
        listener(kind, obj, extra)
