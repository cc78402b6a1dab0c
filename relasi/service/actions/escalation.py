"""The SLA sweep (`manage.py check_sla`, the background task): mark breaches, warn assignees
of approaching breaches, and apply escalation rules — each rule at most once per ticket, so
running it twice, or from two machines at once, changes nothing the second time."""

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import events, records
from relasi.service import notify, routing
from relasi.service.actions.alerts import alert
from relasi.service.choices import ACTIVE, EscalationTrigger, Status, raised
from relasi.service.models import EscalationLog, EscalationRule, Ticket

log = logging.getLogger("relasi.service")
# The clocks run in these statuses (pending-on-customer is paused).
RUNNING = [s for s in ACTIVE if s != Status.PENDING]

_TRIGGERS: dict[str, tuple[str, str]] = {
    # trigger: (moment field, "not yet done" field)
    EscalationTrigger.FIRST_RESPONSE_WARNING: ("first_response_warn_at", "first_responded_at"),
    EscalationTrigger.FIRST_RESPONSE_BREACH: ("first_response_due", "first_responded_at"),
    EscalationTrigger.RESOLUTION_WARNING: ("resolution_warn_at", "resolved_at"),
    EscalationTrigger.RESOLUTION_BREACH: ("resolution_due", "resolved_at"),
}


def running() -> QuerySet[Ticket]:
    return Ticket.objects.filter(status__in=RUNNING, merged_into__isnull=True)


def candidates(rule: EscalationRule, now: dt.datetime) -> QuerySet[Ticket]:
    moment, pending = _TRIGGERS[rule.trigger]
    qs = running().filter(
        **{
            f"{moment}__lte": now - dt.timedelta(minutes=rule.delay_minutes),
            f"{pending}__isnull": True,
        }
    )
    if rule.queue_id:
        qs = qs.filter(queue_id=rule.queue_id)
    if rule.priority:
        qs = qs.filter(priority=rule.priority)
    return qs.exclude(escalations__rule=rule)


def _recipients(rule: EscalationRule, old_owner: Any, new_owner: Any, team_id: Any) -> set[Any]:
    from relasi.accounts.models import User

    people: set[Any] = set()
    if rule.notify_assignee:
        people |= {u for u in (old_owner, new_owner) if u is not None}
    if rule.notify_manager:
        managers = {u.manager for u in (old_owner, new_owner) if u is not None and u.manager_id}
        if not managers and team_id:
            managers = set(
                User.objects.filter(team_id=team_id, role__slug="manager", is_active=True)
            )
        people |= managers
    return {p for p in people if p is not None and p.is_active}


def apply_rule(rule: EscalationRule, ticket: Ticket, now: dt.datetime) -> bool:
    """Apply one rule to one ticket; False if it had been applied already."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = EscalationLog.objects.create(
                    ticket=ticket, rule=rule, trigger=rule.trigger, at=now
                )
        except IntegrityError:
            return False
        current = Ticket.objects.select_related("owner", "queue").get(pk=ticket.pk)
        old_owner = current.owner
        data: dict[str, Any] = {"escalation_level": current.escalation_level + 1}
        done = ["level"]
        if rule.raise_priority and raised(current.priority) != current.priority:
            data["priority"] = raised(current.priority)
            done.append(f"priority:{data['priority']}")
        if rule.reassign_queue_id:
            queue = rule.reassign_queue
            data["queue"] = queue
            data["team"] = queue.team if queue and queue.team_id else current.team
            if not rule.reassign_user_id and queue is not None:
                agent = routing.pick_agent(queue)
                if agent is not None:
                    data["owner"] = agent
            done.append(f"queue:{queue}")
        if rule.reassign_user_id:
            data["owner"] = rule.reassign_user
        if "owner" in data and data["owner"] != old_owner:
            data["reassign_count"] = current.reassign_count + 1
            done.append(f"owner:{data['owner']}")
        updated = records.update_record(
            None, current, data, audit_message=f"escalation: {rule.name}"[:300]
        )
        message = _("Escalated (%(rule)s): %(ticket)s") % {"rule": rule.name, "ticket": updated}
        for person in _recipients(rule, old_owner, updated.owner, updated.team_id):
            alert(person, updated, message)
            notify.staff_email(person, message, updated)
            done.append(f"notified:{person.get_username()}")
        entry.done = done
        entry.save(update_fields=["done"])
    return True


def _warn(now: dt.datetime, counts: dict[str, int]) -> None:
    for warn_field, due_field, done_field, flag, text in (
        (
            "first_response_warn_at",
            "first_response_due",
            "first_responded_at",
            "first_response_warned",
            _("First response due soon: %(t)s"),
        ),
        (
            "resolution_warn_at",
            "resolution_due",
            "resolved_at",
            "resolution_warned",
            _("Resolution due soon: %(t)s"),
        ),
    ):
        qs = (
            running()
            .filter(
                **{
                    f"{warn_field}__lte": now,
                    f"{due_field}__gt": now,
                    f"{done_field}__isnull": True,
                }
            )
            .filter(**{flag: False})
        )
        for ticket in qs.select_related("owner"):
            if ticket.owner is not None:
                alert(ticket.owner, ticket, text % {"t": ticket})
            counts["warned"] += 1
        qs.update(**{flag: True})


def _breach(qs: QuerySet[Ticket], flag: str) -> int:
    """Mark the tickets breached, each with its event (core/events.py), in one transaction."""
    with transaction.atomic():
        ids = list(qs.filter(**{flag: False}).select_for_update().values_list("pk", flat=True))
        n = Ticket.objects.filter(pk__in=ids, **{flag: False}).update(**{flag: True})
        for ticket in Ticket.objects.filter(pk__in=ids).select_related("customer", "ticket_type"):
            events.emit("ticket.sla_breached", ticket, changed=[flag])
    return n


def check_sla(now: dt.datetime | None = None) -> dict[str, int]:
    """One sweep; returns what it did (for the command's output and the job log)."""
    now = now or timezone.now()
    counts = {"first_response_breached": 0, "resolution_breached": 0, "warned": 0, "escalated": 0}
    counts["first_response_breached"] = _breach(
        running().filter(first_responded_at__isnull=True, first_response_due__lte=now),
        "first_response_breached",
    )
    counts["resolution_breached"] = _breach(
        running().filter(resolved_at__isnull=True, resolution_due__lte=now),
        "resolution_breached",
    )
    _warn(now, counts)
    for rule in (
        EscalationRule.objects.filter(active=True)
        .select_related("reassign_queue", "reassign_user")
        .order_by("order", "id")
    ):
        for ticket in candidates(rule, now).order_by("id")[:500]:
            if apply_rule(rule, ticket, now):
                counts["escalated"] += 1
    if any(counts.values()):
        log.info("sla sweep", extra={"event": "service.sla_sweep", "details": counts})
    return counts


def at_risk(user: Any, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """The user's own running tickets past a warning or due time (home widget, badges)."""
    now = now or timezone.now()
    return (
        running()
        .filter(owner=user)
        .filter(
            Q(first_responded_at__isnull=True, first_response_warn_at__lte=now)
            | Q(resolved_at__isnull=True, resolution_warn_at__lte=now)
        )
    )
