"""Merging duplicate tickets into one, and splitting messages off into a new ticket."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.service.actions.tickets import _fresh, _user, create_ticket, relate
from relasi.service.choices import MessageKind, Status
from relasi.service.models import (
    ScriptRun,
    Ticket,
    TicketAttachment,
    TicketLink,
    TicketMessage,
    TicketRelation,
)


def merge_tickets(actor: Any, target: Ticket, sources: Iterable[Ticket]) -> Ticket:
    """Move the messages, attachments, links and script runs of each source ticket into
    `target`, then close the source with a pointer to the target. Only tickets of the same
    customer merge: a merged ticket's replies show in that customer's portal."""
    now = timezone.now()
    with transaction.atomic():
        target = _fresh(target)
        for source in sources:
            source = _fresh(source)
            if source.pk == target.pk:
                continue
            if source.customer_id != target.customer_id:
                raise ValidationError(_("Only tickets of the same customer can be merged."))
            if source.merged_into_id:
                raise ValidationError(_("%(t)s was merged already.") % {"t": source.number})
            TicketMessage.objects.filter(ticket=source).update(ticket=target)
            TicketAttachment.objects.filter(ticket=source).update(ticket=target)
            ScriptRun.objects.filter(ticket=source).update(ticket=target)
            have = set(
                TicketLink.objects.filter(ticket=target).values_list("content_type", "object_id")
            )
            for link in TicketLink.objects.filter(ticket=source):
                if (link.content_type_id, link.object_id) in have:
                    link.delete()
                else:
                    TicketLink.objects.filter(pk=link.pk).update(ticket=target)
            others = {r.to_ticket_id for r in TicketRelation.objects.filter(from_ticket=source)}
            others |= {r.from_ticket_id for r in TicketRelation.objects.filter(to_ticket=source)}
            TicketRelation.objects.filter(Q(from_ticket=source) | Q(to_ticket=source)).delete()
            for other in Ticket.objects.filter(pk__in=others - {target.pk}):
                relate(actor, target, other)
            TicketMessage.objects.create(
                ticket=target,
                kind=MessageKind.SYSTEM,
                body=_("Merged %(src)s (%(subject)s) into this ticket.")
                % {"src": source.number, "subject": source.subject},
                author=_user(actor),
                created_at=now,
            )
            TicketMessage.objects.create(
                ticket=source,
                kind=MessageKind.SYSTEM,
                body=_("Merged into %(t)s.") % {"t": target.number},
                author=_user(actor),
                created_at=now,
            )
            Ticket.objects.filter(pk=source.pk).update(
                merged_into=target,
                status=Status.CLOSED,
                closed_at=now,
                sla_paused_at=source.sla_paused_at or now,
                version=F("version") + 1,
            )
            Ticket.objects.filter(pk=target.pk).update(
                customer_message_count=F("customer_message_count") + source.customer_message_count,
                last_activity_at=now,
            )
            audit.record(
                actor,
                AuditAction.UPDATE,
                source,
                changes={"merged_into": [None, target.number], "status": [source.status, "closed"]},
            )
            audit.record(
                actor, AuditAction.UPDATE, target, changes={"merged": [None, source.number]}
            )
    return _fresh(target)


def split_ticket(
    actor: Any, ticket: Ticket, message_ids: Iterable[int], subject: str = ""
) -> Ticket:
    """Move the chosen messages (and their files) of `ticket` into a new ticket for the same
    customer; the two are marked related."""
    ids = [int(i) for i in message_ids]
    with transaction.atomic():
        ticket = _fresh(ticket)
        messages = list(
            TicketMessage.objects.filter(ticket=ticket, pk__in=ids).exclude(kind=MessageKind.SYSTEM)
        )
        if not messages:
            raise ValidationError(_("Choose at least one message to split off."))
        first = messages[0]
        new = create_ticket(
            actor,
            ticket.customer,
            {
                "ticket_type": ticket.ticket_type,
                "channel": ticket.channel,
                "subject": (subject or _("Split from %(t)s") % {"t": ticket.number})[:200],
                "description": first.body,
                "category": ticket.category,
                "priority": ticket.priority,
                "queue": ticket.queue,
                "owner": ticket.owner,
                "split_from": ticket,
            },
            route=False,
            notify=False,
            audit_message=f"split from {ticket.number}",
        )
        TicketMessage.objects.filter(pk__in=[m.pk for m in messages]).update(ticket=new)
        TicketAttachment.objects.filter(message__in=messages).update(ticket=new)
        moved_customer = sum(1 for m in messages if m.kind == MessageKind.CUSTOMER)
        if moved_customer:
            Ticket.objects.filter(pk=ticket.pk).update(
                customer_message_count=F("customer_message_count")
                - min(moved_customer, ticket.customer_message_count)
            )
        TicketMessage.objects.create(
            ticket=ticket,
            kind=MessageKind.SYSTEM,
            body=_("%(n)s message(s) split off into %(t)s.")
            % {"n": len(messages), "t": new.number},
            author=_user(actor),
        )
        relate(actor, ticket, new)
        audit.record(actor, AuditAction.UPDATE, ticket, changes={"split": [None, new.number]})
    return new
