"""Tickets and what hangs off them: messages (replies, notes, customer messages), attachments,
generic links to products/orders/deals, related tickets, dialogue-script runs, escalation log
and in-app alerts."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import BaseRecord
from relasi.customers.models import Customer
from relasi.service.choices import (
    ACTIVE,
    Channel,
    EscalationTrigger,
    MessageKind,
    Priority,
    RootCause,
    Status,
)
from relasi.service.models.config import (
    Category,
    DialogueScript,
    EscalationRule,
    Queue,
    SLAPolicy,
    TicketType,
)


class TicketQuerySet(models.QuerySet["Ticket"]):
    def active(self) -> "TicketQuerySet":
        return self.filter(status__in=ACTIVE)

    def complaints(self) -> "TicketQuerySet":
        return self.filter(ticket_type__is_complaint=True)


class Ticket(BaseRecord):
    """A customer's complaint, question, request, return or warranty claim.

    `owner` is the assignee (so own/team/subordinate visibility works as everywhere) and `team`
    is the queue's team. SLA due times are stored, so lists and sweeps are plain SQL; the
    business-time arithmetic runs only when they are (re)computed."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    ticket_type = models.ForeignKey(
        TicketType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="tickets"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tickets"
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    queue = models.ForeignKey(
        Queue,
        verbose_name=_("queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # SLA
    sla_policy = models.ForeignKey(
        SLAPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_paused_seconds = models.PositiveIntegerField(default=0, editable=False)
    first_response_minutes = models.PositiveIntegerField(
        _("first response time (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution time (business minutes)"), null=True, blank=True
    )
    first_response_breached = models.BooleanField(_("first response breached"), default=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)
    first_response_warned = models.BooleanField(default=False, editable=False)
    resolution_warned = models.BooleanField(default=False, editable=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # First-contact resolution: computed on resolving unless an agent overrode it.
    fcr = models.BooleanField(_("first-contact resolution"), null=True, blank=True)
    fcr_manual = models.BooleanField(default=False, editable=False)
    reopen_count = models.PositiveSmallIntegerField(default=0, editable=False)
    reassign_count = models.PositiveSmallIntegerField(default=0, editable=False)
    customer_message_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # Complaint register
    root_cause = models.CharField(
        _("root cause"), max_length=20, choices=RootCause.choices, blank=True
    )
    root_cause_detail = models.TextField(_("root cause detail"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
    )
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_tickets",
    )
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    search_text = models.TextField(editable=False, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "queue"], name="ticket_status_queue_idx"),
            models.Index(fields=["owner", "id"], name="ticket_owner_idx"),
            models.Index(fields=["team", "id"], name="ticket_team_idx"),
            models.Index(fields=["created_at", "id"], name="ticket_created_idx"),
            models.Index(fields=["customer", "created_at"], name="ticket_customer_idx"),
            models.Index(fields=["resolved_at"], name="ticket_resolved_idx"),
            models.Index(fields=["first_responded_at"], name="ticket_responded_idx"),
            models.Index(fields=["resolution_due"], name="ticket_res_due_idx"),
            models.Index(fields=["first_response_due"], name="ticket_fr_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("service:ticket_detail", args=[self.pk])

    @property
    def assignee(self) -> Any:
        return self.owner

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_complaint(self) -> bool:
        return bool(self.ticket_type.is_complaint)


class TicketCounter(models.Model):
    """The last ticket number handed out per year (TKT-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class TicketChild(models.Model):
    """Rows that belong to one ticket; their visibility is the ticket's."""

    access_via = "ticket"

    class Meta:
        abstract = True


class TicketMessage(TicketChild):
    """A reply to the customer (e-mailed, shown in the portal), an internal note, or a
    message from the customer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    emailed_to = models.CharField(_("e-mailed to"), max_length=254, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketmsg_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_public(self) -> bool:
        """Shown to the customer (portal, e-mail)."""
        return self.kind in (MessageKind.REPLY, MessageKind.CUSTOMER)


def attachment_path(instance: Any, filename: str) -> str:
    return f"service/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class TicketAttachment(TicketChild):
    """A file on a ticket, stored outside the web root under a random name and served only
    through access-checked views. `public` files are visible to the customer in the portal."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    public = models.BooleanField(_("visible to the customer"), default=False)
    from_customer = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")

    def __str__(self) -> str:
        return self.original_name


class TicketLink(TicketChild):
    """A link from a ticket to a record of another app (product, order, deal …), generic so the
    service app never imports them."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    label = models.CharField(_("label"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["content_type_id", "label"]
        verbose_name = _("linked record")
        verbose_name_plural = _("linked records")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "content_type", "object_id"], name="ticketlink_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="ticketlink_target_idx")]

    def __str__(self) -> str:
        return self.label


class TicketRelation(models.Model):
    """Two tickets marked as related (shown on both)."""

    access_via = "from_ticket"

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="relations_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="relations_in")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("related ticket")
        verbose_name_plural = _("related tickets")
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket"], name="ticketrel_unique"),
            models.CheckConstraint(
                condition=~models.Q(from_ticket=models.F("to_ticket")), name="ticketrel_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_ticket_id} ↔ {self.to_ticket_id}"


class ScriptRun(TicketChild):
    """An agent walking a dialogue script on a ticket; the answers stay on the ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="script_runs")
    script = models.ForeignKey(
        DialogueScript, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    script_name = models.CharField(_("script"), max_length=150)
    answers = models.JSONField(_("answers"), default=list)
    current_step = models.CharField(max_length=40, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    finished = models.BooleanField(_("finished"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("script run")
        verbose_name_plural = _("script runs")

    def __str__(self) -> str:
        return self.script_name


class EscalationLog(TicketChild):
    """One escalation rule applied to one ticket (unique: the sweep is idempotent)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    rule = models.ForeignKey(
        EscalationRule, null=True, on_delete=models.SET_NULL, related_name="applied"
    )
    trigger = models.CharField(max_length=20, choices=EscalationTrigger.choices)
    at = models.DateTimeField(default=timezone.now)
    done = models.JSONField(default=list)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "rule"], name="escalationlog_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.trigger}"


class Alert(models.Model):
    """An in-app notification for one user (approaching breach, escalation, customer reply)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_alerts"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["user", "read_at"], name="servicealert_user_idx")]

    def __str__(self) -> str:
        return self.message
