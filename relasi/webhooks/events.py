"""Which changes become events, and what an event carries.

`from_audit` hears every audit row (relasi/core/events.py) and `from_emit` the few domain
events an audit row does not name; both run inside the change's transaction and write the
`Event` with its `Delivery` rows there. The payload is the record's REST API representation
(the list schema, so no field the API would not show, and no more personal data than a list
row has); a deleted record's payload is its representation just before the delete."""

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from relasi.core.choices import AuditAction

log = logging.getLogger("relasi.webhooks")


@dataclass(frozen=True)
class RecordType:
    name: str  # "deal"
    module: str  # the permission module that may see these records
    schema: str  # "relasi.sales.api:DealOut", imported when first needed


# model label -> record type; a customer is a person or an organisation by its `kind`.
RECORDS: dict[str, RecordType] = {
    "customers.customer": RecordType("person", "customers", "customers:CustomerListItem"),
    "sales.lead": RecordType("lead", "sales", "sales:LeadOut"),
    "sales.deal": RecordType("deal", "sales", "sales:DealOut"),
    "sales.quote": RecordType("quote", "sales", "sales:QuoteOut"),
    "service.ticket": RecordType("ticket", "service", "service:TicketOut"),
    "commerce.order": RecordType("order", "commerce", "commerce:OrderOut"),
    "conversations.conversation": RecordType(
        "conversation", "conversations", "conversations:ConversationOut"
    ),
}
NAMES = ["person", "organisation", "lead", "deal", "quote", "ticket", "order", "conversation"]
VERBS = {
    AuditAction.CREATE: "created",
    AuditAction.UPDATE: "updated",
    AuditAction.DELETE: "deleted",
}
SPECIAL = {
    "deal.stage_changed": _("Deal: stage changed"),
    "ticket.sla_breached": _("Ticket: SLA target breached"),
    "conversation.message_received": _("Conversation: message received"),
    "order.posted": _("Order: posted"),
    "consent.changed": _("Consent changed"),
}
VERB_LABELS = {"created": _("created"), "updated": _("updated"), "deleted": _("deleted")}
NAME_LABELS = {
    "person": _("Person"),
    "organisation": _("Organisation"),
    "lead": _("Lead"),
    "deal": _("Deal"),
    "quote": _("Quote"),
    "ticket": _("Ticket"),
    "order": _("Order"),
    "conversation": _("Conversation"),
}


def event_types() -> list[tuple[str, str]]:
    """Every event type with its label, for forms and the API."""
    out = [
        (f"{name}.{verb}", f"{NAME_LABELS[name]}: {VERB_LABELS[verb]}")
        for name in NAMES
        for verb in ("created", "updated", "deleted")
    ]
    out += [(key, str(label)) for key, label in SPECIAL.items()]
    return out


def type_names() -> set[str]:
    return {key for key, _label in event_types()}


def module_of(event_type: str) -> str:
    name = event_type.split(".", 1)[0]
    if name in ("person", "organisation", "consent"):
        return "customers"
    for rt in RECORDS.values():
        if rt.name == name:
            return rt.module
    return "admin"


def _schema(path: str) -> Any:
    import importlib

    app, _sep, cls = path.partition(":")
    return getattr(importlib.import_module(f"relasi.{app}.api"), cls)


def payload(obj: models.Model) -> dict[str, Any]:
    """The API representation; a record the schema cannot render (a half-built one inside a
    larger action) still gets its event, with its id, rather than failing the change."""
    rt = RECORDS[obj._meta.label_lower]
    try:
        with transaction.atomic():  # a failed query must not poison the caller's transaction
            return dict(_schema(rt.schema).from_orm(obj).model_dump(mode="json"))
    except Exception:
        log.exception("event payload failed", extra={"event": "webhook.payload", "model": rt.name})
        return {"id": obj.pk}


def _name(obj: models.Model) -> str:
    rt = RECORDS[obj._meta.label_lower]
    if rt.name == "person" and getattr(obj, "kind", "") == "organization":
        return "organisation"
    return rt.name


def from_audit(row: Any, obj: models.Model | None, model: type[models.Model] | None) -> None:
    if obj is None or obj.pk is None or obj._meta.label_lower not in RECORDS:
        return
    verb = VERBS.get(row.action)
    if verb is None:
        return
    changes = row.changes if isinstance(row.changes, dict) else {}
    consent = sorted(k for k in changes if str(k).startswith("consent:"))
    fields = sorted(k for k in changes if not str(k).startswith("consent:"))
    actor = row.actor_label
    if consent:
        record(obj, "consent.changed", changed=consent, actor=actor)
    if verb == "updated" and consent and not fields and not row.message:
        return  # a consent change alone is its own event
    name = _name(obj)
    record(obj, f"{name}.{verb}", changed=fields if verb == "updated" else [], actor=actor)
    if name == "deal" and verb == "updated" and "stage" in changes:
        record(obj, "deal.stage_changed", changed=["stage"], actor=actor)


def from_emit(kind: str, obj: models.Model, extra: dict[str, Any]) -> None:
    if kind in SPECIAL and obj._meta.label_lower in RECORDS:
        record(obj, kind, changed=list(extra.get("changed", [])), extra=extra.get("data"))


def record(
    obj: models.Model,
    event_type: str,
    *,
    changed: list[str] | None = None,
    actor: str = "",
    extra: dict[str, Any] | None = None,
) -> Any:
    """Write one event and its deliveries (the caller's transaction)."""
    from relasi.webhooks import delivery
    from relasi.webhooks.models import Event

    data = payload(obj)
    if extra:
        data = {**data, **extra}
    event = Event.objects.create(
        type=event_type,
        content_type=ContentType.objects.get_for_model(obj._meta.model),
        object_id=str(obj.pk),
        record_key=f"{obj._meta.label_lower}:{obj.pk}",
        owner_id=getattr(obj, "owner_id", None),
        team_id=getattr(obj, "team_id", None),
        actor_label=actor[:150],
        changed=changed or [],
        data=data,
    )
    delivery.fan_out(event)
    return event
