"""Ticket lists and the ticket page (generic viewsets), plus the complaint register list."""

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as gl

from relasi.core import records
from relasi.core.access import visible_to
from relasi.core.viewsets import ADD_TAG, DELETE, BulkAction, Column, OwnerForm, RecordViewSet
from relasi.service import actions, sla
from relasi.service.choices import TRANSITIONS, Status
from relasi.service.filtersets import TicketFilterSet
from relasi.service.forms import (
    AssignForm,
    ComplaintForm,
    CustomerMessageForm,
    FcrForm,
    LinkForm,
    NumbersForm,
    ReplyForm,
    ScriptStartForm,
    SplitForm,
    StatusForm,
    TicketForm,
)
from relasi.service.models import CannedReply, DialogueScript, Ticket

STATUS_BADGE: dict[str, str] = {
    Status.NEW: "primary",
    Status.OPEN: "info",
    Status.PENDING: "warning",
    Status.ON_HOLD: "secondary",
    Status.RESOLVED: "success",
    Status.CLOSED: "dark",
    Status.REOPENED: "danger",
}
PRIORITY_BADGE = {"low": "light", "normal": "secondary", "high": "warning", "urgent": "danger"}
SLA_LABELS = {
    "breached": (gl("Breached"), "danger"),
    "warning": (gl("At risk"), "warning"),
    "ok": (gl("On track"), "success"),
    "paused": (gl("Paused"), "secondary"),
}


def status_badge(t: Ticket) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_BADGE.get(t.status, "secondary"),
        t.get_status_display(),
    )


def priority_badge(t: Ticket) -> str:
    return format_html(
        '<span class="badge text-bg-{} border">{}</span>',
        PRIORITY_BADGE.get(t.priority, "light"),
        t.get_priority_display(),
    )


def sla_badge(t: Ticket) -> str:
    state = sla.list_state(t)
    if state not in SLA_LABELS:
        return ""
    label, css = SLA_LABELS[state]
    return format_html('<span class="badge text-bg-{} sla-{}">{}</span>', css, state, label)


def sla_text(t: Ticket) -> str:
    state = sla.list_state(t)
    return str(SLA_LABELS[state][0]) if state in SLA_LABELS else ""


def _bulk_assign(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    n = 0
    for ticket in qs:
        if ticket.owner_id != data["owner"].pk:
            actions.assign(actor, ticket, data["owner"])
            n += 1
    return n


def _bulk_close(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    n = 0
    for ticket in qs:
        if Status.CLOSED in TRANSITIONS.get(ticket.status, []):
            actions.change_status(actor, ticket, Status.CLOSED, audit_message="bulk close")
            n += 1
    return n


ASSIGN = BulkAction("assign", gl("Assign"), "change", _bulk_assign, form=OwnerForm)
CLOSE = BulkAction("close", gl("Close"), "change", _bulk_close, confirm=True)

COLUMNS = [
    Column("number", gl("Number"), order="number", link=True),
    Column("subject", gl("Subject"), order="subject"),
    Column("customer", gl("Customer")),
    Column("status", gl("Status"), accessor=status_badge, order="status", export=False),
    Column("priority", gl("Priority"), accessor=priority_badge, order="priority", export=False),
    Column("sla", gl("SLA"), accessor=sla_badge, export=False),
    Column("ticket_type", gl("Type")),
    Column("queue", gl("Queue")),
    Column("owner", gl("Assignee")),
    Column("channel", gl("Channel"), accessor="get_channel_display", order="channel"),
    Column("category", gl("Category")),
    Column("created_at", gl("Opened"), order="created_at"),
    Column("resolution_due", gl("Resolution due"), order="resolution_due"),
    Column("last_activity_at", gl("Last activity"), order="last_activity_at"),
    Column("tags", gl("Tags")),
    Column("status_text", gl("Status (text)"), accessor="get_status_display"),
    Column("priority_text", gl("Priority (text)"), accessor="get_priority_display"),
    Column("sla_text", gl("SLA (text)"), accessor=sla_text),
]


class TicketViewSet(RecordViewSet):
    model = Ticket
    module = "service"
    url_name = "ticket"
    form_class = TicketForm
    filterset_class = TicketFilterSet
    default_order = "-created_at"
    list_template = "service/ticket_list.html"
    detail_template = "service/ticket_detail.html"
    form_template = "service/ticket_form.html"
    select_related = ("customer", "ticket_type", "queue", "owner")
    columns = COLUMNS
    default_columns = [
        "number",
        "subject",
        "customer",
        "status",
        "priority",
        "sla",
        "queue",
        "owner",
        "created_at",
    ]
    bulk_actions = [ASSIGN, CLOSE, ADD_TAG, DELETE]

    def create(self, actor: Any, form: Any) -> Ticket:
        data, tags = self.form_data(form)
        ticket = actions.create_ticket(actor, form.cleaned_data["customer_id"], data, tags=tags)
        if upload := form.cleaned_data.get("attachment"):
            actions.add_attachment(actor, ticket, upload, public=True)
        return ticket

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Ticket:
        data, tags = self.form_data(form)
        return actions.update_ticket(actor, obj, data, expected_version=version, tags=tags)

    def delete(self, actor: Any, obj: Any) -> None:
        records.delete_record(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return ticket_context(request, obj)


class ComplaintViewSet(TicketViewSet):
    """The complaint register: complaints only, with root cause and resolution columns."""

    url_name = "complaint"
    columns = [
        *COLUMNS[:3],
        Column("category", gl("Category")),
        Column(
            "root_cause", gl("Root cause"), accessor="get_root_cause_display", order="root_cause"
        ),
        Column("resolution", gl("Resolution")),
        Column("root_cause_detail", gl("Root cause detail")),
        *COLUMNS[3:6],
        Column("channel", gl("Channel"), accessor="get_channel_display", order="channel"),
        Column("created_at", gl("Opened"), order="created_at"),
        Column("resolved_at", gl("Resolved"), order="resolved_at"),
        Column("owner", gl("Assignee")),
    ]
    default_columns = [
        "number",
        "subject",
        "customer",
        "category",
        "root_cause",
        "status",
        "created_at",
    ]
    list_template = "service/complaint_list.html"

    def base_queryset(self) -> Any:
        return Ticket.objects.complaints()


def _scripts_for(ticket: Ticket) -> Any:
    return (
        DialogueScript.objects.filter(active=True)
        .filter(Q(ticket_type__isnull=True) | Q(ticket_type=ticket.ticket_type_id))
        .filter(Q(category__isnull=True) | Q(category=ticket.category_id))
    )


def ticket_context(request: Any, ticket: Ticket) -> dict[str, Any]:
    user = request.user
    messages = list(
        ticket.messages.select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    related = visible_to(user, actions.related_tickets(ticket)).select_related("customer")
    others = (
        visible_to(user, Ticket.objects.filter(customer=ticket.customer_id).exclude(pk=ticket.pk))
        .order_by("-created_at")
        .select_related("ticket_type")[:8]
    )
    scripts = _scripts_for(ticket)
    runs = list(ticket.script_runs.select_related("script"))
    return {
        "clocks": sla.clocks(ticket),
        "conversation": messages,
        "loose_attachments": ticket.attachments.filter(message__isnull=True),
        "links": ticket.links.select_related("content_type"),
        "related": related,
        "merged_from": visible_to(user, ticket.merged_tickets.all()),
        "split_into": visible_to(user, ticket.split_tickets.all()),
        "other_tickets": others,
        "script_runs": runs,
        "active_run": next((r for r in runs if not r.finished), None),
        "canned_replies": CannedReply.objects.filter(active=True).order_by("language", "title"),
        "surveys": ticket.surveys.all(),
        "escalations": ticket.escalations.select_related("rule"),
        "allowed_status": [(s, Status(s).label) for s in TRANSITIONS.get(ticket.status, [])],
        "status_badge": status_badge(ticket),
        "priority_badge": priority_badge(ticket),
        "reply_form": ReplyForm(),
        "customer_form": CustomerMessageForm(),
        "status_form": StatusForm(ticket=ticket, initial={"version": ticket.version}),
        "assign_form": AssignForm(
            initial={"owner": ticket.owner_id, "queue": ticket.queue_id, "version": ticket.version}
        ),
        "complaint_form": ComplaintForm(instance=ticket)
        if ticket.ticket_type.is_complaint
        else None,
        "link_form": LinkForm(types=actions.linkable_types()),
        "merge_form": NumbersForm(),
        "relate_form": NumbersForm(),
        "split_form": SplitForm(),
        "fcr_form": FcrForm(
            initial={"value": "auto" if not ticket.fcr_manual else ("yes" if ticket.fcr else "no")}
        ),
        "script_form": ScriptStartForm() if scripts.exists() else None,
        "script_choices": scripts,
        "now": timezone.now(),
    }
