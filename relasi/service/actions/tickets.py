"""Ticket state changes: create (numbering, routing, SLA), edit, assign, status transitions,
replies, notes, customer messages, attachments, links, related tickets, complaint fields, FCR."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.access import visible_to
from relasi.core.choices import AuditAction
from relasi.core.records import ConflictError
from relasi.customers.models import Customer
from relasi.service import routing, search, sla
from relasi.service.actions.alerts import alert
from relasi.service.choices import DONE, PRIORITY_ORDER, TRANSITIONS, MessageKind, Status
from relasi.service.models import (
    Ticket,
    TicketAttachment,
    TicketCounter,
    TicketLink,
    TicketMessage,
    TicketRelation,
)

# Records a ticket may link to: (app label, model name). Models that are not installed (yet)
# are skipped, so the service app never imports the sales or commerce apps.
LINKABLE = [("sales", "product"), ("sales", "deal"), ("commerce", "order")]
SLA_FIELDS = [
    "sla_policy",
    "first_response_due",
    "first_response_warn_at",
    "resolution_due",
    "resolution_warn_at",
]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def next_number(now: dt.datetime | None = None) -> str:
    """TKT-<year>-<six digits>, counted per year inside the caller's transaction."""
    year = timezone.localtime(now or timezone.now()).year
    with transaction.atomic():
        try:
            with transaction.atomic():
                TicketCounter.objects.get_or_create(year=year)
        except IntegrityError:  # created by a concurrent request a moment ago
            pass
        TicketCounter.objects.filter(pk=year).update(last=F("last") + 1)
        last = TicketCounter.objects.filter(pk=year).values_list("last", flat=True).get()
    return f"TKT-{year}-{last:06d}"


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("customer", "sla_policy", "ticket_type", "queue").get(
        pk=ticket.pk
    )


def _check_version(actor: Any, current: Ticket, expected: int | None, changes: dict) -> None:
    if expected is not None and current.version != int(expected):
        conflict = ConflictError(
            actor,
            current,
            changes={k: [None, audit.jsonable(v)] for k, v in changes.items()},
            note=f"rejected: had version {expected}, stored version {current.version}",
        )
        conflict.ensure_recorded()
        raise conflict


def linkable_types() -> list[ContentType]:
    found = []
    for app_label, model_name in LINKABLE:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        found.append(ContentType.objects.get_for_model(model))
    return found


def create_ticket(
    actor: Any,
    customer: Customer,
    data: dict[str, Any],
    *,
    tags: Iterable[Any] | None = None,
    route: bool = True,
    notify: bool = True,
    audit_message: str = "",
) -> Ticket:
    """Open a ticket: number it, route it to a queue and an agent, apply the SLA policy."""
    from relasi.service import tasks

    data = dict(data)
    now = timezone.now()
    draft = Ticket(customer=customer, **data)
    with transaction.atomic():
        if route and draft.queue_id is None:
            path = routing.route(draft, assign=draft.owner_id is None)
            data["queue"] = path.queue
            if path.agent is not None:
                data["owner"] = path.agent
            if path.priority and PRIORITY_ORDER.index(path.priority) > PRIORITY_ORDER.index(
                draft.priority
            ):
                data["priority"] = path.priority
        queue, owner = data.get("queue"), data.get("owner")
        data["team"] = (queue.team if queue and queue.team_id else None) or (
            owner.team if owner else None
        )
        data.update(customer=customer, number=next_number(now), created_at=now)
        data["last_activity_at"] = now
        draft = Ticket(**data)
        sla.apply_policy(draft)
        data.update({f: getattr(draft, f) for f in SLA_FIELDS})
        data["search_text"] = search.ticket_text(draft)
        ticket = records.create_record(actor, Ticket, data, tags=tags, audit_message=audit_message)
        search.index_tickets([ticket.pk])
        if ticket.owner_id and ticket.owner_id != getattr(actor, "pk", None):
            alert(ticket.owner, ticket, _("New ticket for you: %(t)s") % {"t": ticket})
        if notify:
            tasks.send_ticket_ack.enqueue(ticket.pk)
        tasks.ensure_sla_sweep()
    return ticket


def update_ticket(
    actor: Any,
    ticket: Ticket,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    tags: Iterable[Any] | None = None,
) -> Ticket:
    """Edit a ticket's fields; a new priority or type re-applies the SLA policy."""
    data = dict(data)
    data.pop("status", None)  # statuses change only through change_status
    with transaction.atomic():
        current = _fresh(ticket)
        _check_version(actor, current, expected_version, data)
        draft = _fresh(ticket)
        for key, value in data.items():
            setattr(draft, key, value)
        if "owner" in data and data["owner"] != current.owner:
            if current.owner_id is not None:
                data["reassign_count"] = current.reassign_count + 1
            if data["owner"] is not None and data["owner"] != _user(actor):
                alert(data["owner"], current, _("Ticket assigned to you: %(t)s") % {"t": current})
        if "queue" in data and data["queue"] != current.queue and "team" not in data:
            queue = data["queue"]
            data["team"] = queue.team if queue and queue.team_id else current.team
        if draft.priority != current.priority or draft.ticket_type_id != current.ticket_type_id:
            sla.apply_policy(draft)
            data.update({f: getattr(draft, f) for f in SLA_FIELDS})
            data.update(first_response_warned=False, resolution_warned=False)
        data["search_text"] = search.ticket_text(draft)
        updated = records.update_record(
            actor, current, data, expected_version=current.version, tags=tags
        )
        search.index_tickets([updated.pk])
    return updated


def assign(
    actor: Any,
    ticket: Ticket,
    owner: Any,
    *,
    queue: Any = None,
    expected_version: int | None = None,
) -> Ticket:
    data: dict[str, Any] = {"owner": owner}
    if queue is not None:
        data["queue"] = queue
    elif owner is not None and not ticket.team_id:
        data["team"] = owner.team
    return update_ticket(actor, ticket, data, expected_version=expected_version)


def _resolved_fields(current: Ticket, now: dt.datetime) -> dict[str, Any]:
    cal = sla.CalendarCache().get(current.sla_policy)
    fields: dict[str, Any] = {
        "resolved_at": now,
        "resolution_minutes": sla.elapsed_minutes(current, now, cal),
        "resolution_breached": current.resolution_breached
        or bool(current.resolution_due and now > current.resolution_due),
    }
    if current.first_responded_at is None:  # resolving answers the customer
        fields.update(
            first_responded_at=now,
            first_response_minutes=fields["resolution_minutes"],
            first_response_breached=current.first_response_breached
            or bool(current.first_response_due and now > current.first_response_due),
        )
    if not current.fcr_manual:
        fields["fcr"] = computed_fcr(current)
    return fields


def computed_fcr(ticket: Ticket) -> bool:
    """Resolved at the first contact: the customer never had to come back, and the ticket was
    never reassigned, escalated or reopened."""
    return (
        ticket.customer_message_count == 0
        and ticket.reassign_count == 0
        and ticket.reopen_count == 0
        and ticket.escalation_level == 0
    )


def change_status(
    actor: Any,
    ticket: Ticket,
    new: str,
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    audit_message: str = "",
) -> Ticket:
    """Move a ticket to `new` if the transition is allowed; pause/resume the SLA clocks,
    record resolution, reopening and closing, and send the satisfaction survey."""
    from relasi.service import tasks

    now = now or timezone.now()
    with transaction.atomic():
        current = _fresh(ticket)
        _check_version(actor, current, expected_version, {"status": new})
        old = current.status
        if new == old:
            return current
        if new not in TRANSITIONS.get(old, []):
            raise ValidationError(
                _("A ticket cannot go from “%(old)s” to “%(new)s”.")
                % {"old": Status(old).label, "new": Status(new).label if new in Status else new}
            )
        data: dict[str, Any] = {"status": new, "last_activity_at": now}
        for name in sla.on_status_change(current, old, new, now):
            data[name] = getattr(current, name)
        if new in DONE and current.resolved_at is None:
            data.update(_resolved_fields(current, now))
        if new == Status.CLOSED:
            data["closed_at"] = now
        if new == Status.REOPENED:
            data.update(reopen_count=current.reopen_count + 1, resolved_at=None, closed_at=None)
            data.update(resolution_minutes=None)
            if not current.fcr_manual:
                data["fcr"] = None
        updated = records.update_record(
            actor, current, data, expected_version=current.version, audit_message=audit_message
        )
        if new in DONE and old not in DONE and not updated.surveys.exists():
            tasks.send_csat_survey.enqueue(updated.pk)
    return updated


def _attach(
    actor: Any,
    ticket: Ticket,
    uploads: Iterable[Any],
    message: TicketMessage | None,
    public: bool,
    from_customer: bool = False,
) -> list[TicketAttachment]:
    from relasi.core.uploads import check_upload

    saved = []
    for upload in uploads:
        info = check_upload(upload)
        saved.append(
            TicketAttachment.objects.create(
                ticket=ticket,
                message=message,
                file=upload,
                original_name=info.safe_name,
                content_type=info.content_type,
                size=upload.size,
                public=public,
                from_customer=from_customer,
                uploaded_by=_user(actor),
            )
        )
    return saved


def add_attachment(
    actor: Any, ticket: Ticket, upload: Any, *, public: bool = False
) -> TicketAttachment:
    with transaction.atomic():
        (attachment,) = _attach(actor, ticket, [upload], None, public)
        audit.record(
            actor,
            AuditAction.UPDATE,
            ticket,
            changes={"attachment": [None, attachment.original_name]},
        )
    return attachment


def delete_attachment(actor: Any, attachment: TicketAttachment) -> None:
    audit.record(
        actor,
        AuditAction.UPDATE,
        attachment.ticket,
        changes={"attachment": [attachment.original_name, None]},
    )
    attachment.file.delete(save=False)
    attachment.delete()


def _message(
    actor: Any, ticket: Ticket, kind: str, body: str, now: dt.datetime, uploads: Iterable[Any]
) -> TicketMessage:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a message first."))
    message = TicketMessage.objects.create(
        ticket=ticket, kind=kind, body=body[:20000], author=_user(actor), created_at=now
    )
    _attach(
        actor,
        ticket,
        uploads,
        message,
        public=kind != MessageKind.NOTE,
        from_customer=kind == MessageKind.CUSTOMER,
    )
    return message


def add_reply(
    actor: Any,
    ticket: Ticket,
    body: str,
    *,
    send_email: bool = True,
    uploads: Iterable[Any] = (),
    now: dt.datetime | None = None,
) -> TicketMessage:
    """A reply to the customer: shown in the portal, e-mailed if asked; the first one stops
    the first-response clock, and a new or reopened ticket becomes open."""
    from relasi.service import tasks

    now = now or timezone.now()
    with transaction.atomic():
        current = _fresh(ticket)
        message = _message(actor, current, MessageKind.REPLY, body, now, uploads)
        data: dict[str, Any] = {"last_activity_at": now}
        if current.first_responded_at is None:
            data.update(
                first_responded_at=now,
                first_response_minutes=sla.elapsed_minutes(current, now),
                first_response_breached=current.first_response_breached
                or bool(current.first_response_due and now > current.first_response_due),
            )
        if current.status in (Status.NEW, Status.REOPENED):
            Ticket.objects.filter(pk=current.pk).update(**data)
            change_status(actor, current, Status.OPEN, now=now, audit_message="reply")
        else:
            Ticket.objects.filter(pk=current.pk).update(**data)
            audit.record(actor, AuditAction.UPDATE, current, message="reply added")
        email = current.customer.primary_email
        if send_email and email:
            TicketMessage.objects.filter(pk=message.pk).update(emailed_to=email)
            tasks.send_message_email.enqueue(message.pk)
    return message


def add_note(
    actor: Any, ticket: Ticket, body: str, *, uploads: Iterable[Any] = ()
) -> TicketMessage:
    """An internal note: never shown to the customer."""
    now = timezone.now()
    with transaction.atomic():
        message = _message(actor, ticket, MessageKind.NOTE, body, now, uploads)
        Ticket.objects.filter(pk=ticket.pk).update(last_activity_at=now)
        audit.record(actor, AuditAction.UPDATE, ticket, message="note added")
    return message


def add_customer_message(
    ticket: Ticket, body: str, *, actor: Any = None, uploads: Iterable[Any] = ()
) -> TicketMessage:
    """The customer wrote (portal, or an agent logging a call): a ticket waiting on the
    customer resumes, a resolved or closed one reopens, and the assignee is told."""
    now = timezone.now()
    with transaction.atomic():
        current = _fresh(ticket)
        message = _message(actor, current, MessageKind.CUSTOMER, body, now, uploads)
        Ticket.objects.filter(pk=current.pk).update(
            last_activity_at=now, customer_message_count=F("customer_message_count") + 1
        )
        if current.status == Status.PENDING:
            change_status(actor, current, Status.OPEN, now=now, audit_message="customer replied")
        elif current.status in DONE:
            change_status(
                actor, current, Status.REOPENED, now=now, audit_message="customer replied"
            )
        if current.owner_id and current.owner_id != getattr(actor, "pk", None):
            alert(current.owner, current, _("The customer replied on %(t)s") % {"t": current})
    return message


def link_record(
    actor: Any, ticket: Ticket, content_type: ContentType, object_id: int
) -> TicketLink:
    """Link a product, order, deal … (only records the actor may see)."""
    if content_type.pk not in {ct.pk for ct in linkable_types()}:
        raise ValidationError(_("Tickets cannot link to this kind of record."))
    model = content_type.model_class()
    assert model is not None
    queryset: models.QuerySet = model._default_manager.filter(pk=object_id)
    if any(f.name == "owner" for f in model._meta.fields) and actor is not None:
        queryset = visible_to(actor, queryset)
    target = queryset.first()
    if target is None:
        raise ValidationError(_("No such record (or you may not see it)."))
    link, _created = TicketLink.objects.get_or_create(
        ticket=ticket,
        content_type=content_type,
        object_id=object_id,
        defaults={"label": str(target)[:200], "created_by": _user(actor)},
    )
    audit.record(actor, AuditAction.UPDATE, ticket, changes={"link": [None, link.label]})
    return link


def unlink_record(actor: Any, link: TicketLink) -> None:
    audit.record(actor, AuditAction.UPDATE, link.ticket, changes={"link": [link.label, None]})
    link.delete()


def relate(actor: Any, ticket: Ticket, other: Ticket) -> None:
    if ticket.pk == other.pk:
        raise ValidationError(_("A ticket cannot be related to itself."))
    exists = TicketRelation.objects.filter(
        Q(from_ticket=ticket, to_ticket=other) | Q(from_ticket=other, to_ticket=ticket)
    ).exists()
    if not exists:
        TicketRelation.objects.create(from_ticket=ticket, to_ticket=other, created_by=_user(actor))
        audit.record(actor, AuditAction.UPDATE, ticket, changes={"related": [None, other.number]})


def unrelate(actor: Any, ticket: Ticket, other: Ticket) -> None:
    TicketRelation.objects.filter(
        Q(from_ticket=ticket, to_ticket=other) | Q(from_ticket=other, to_ticket=ticket)
    ).delete()
    audit.record(actor, AuditAction.UPDATE, ticket, changes={"related": [other.number, None]})


def related_tickets(ticket: Ticket) -> models.QuerySet[Ticket]:
    return Ticket.objects.filter(
        Q(relations_in__from_ticket=ticket) | Q(relations_out__to_ticket=ticket)
    ).distinct()


def update_complaint(
    actor: Any, ticket: Ticket, data: dict[str, Any], *, expected_version: int | None = None
) -> Ticket:
    """Root cause and resolution of a complaint (the complaint register)."""
    fields = {k: data[k] for k in ("root_cause", "root_cause_detail", "resolution") if k in data}
    return records.update_record(actor, ticket, fields, expected_version=expected_version)


def set_fcr(actor: Any, ticket: Ticket, value: bool | None) -> Ticket:
    """Override first-contact resolution (None goes back to the computed value)."""
    current = _fresh(ticket)
    if value is None:
        data = {"fcr_manual": False, "fcr": computed_fcr(current) if current.resolved_at else None}
    else:
        data = {"fcr_manual": True, "fcr": bool(value)}
    return records.update_record(actor, current, data, audit_message="first-contact resolution")
