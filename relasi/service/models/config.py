"""Service configuration an administrator edits: ticket types and categories, queues, routing
rules, business hours and holidays, SLA policies, escalation rules, canned replies and dialogue
scripts."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relasi.core.models import Tag, TimestampedModel
from relasi.customers.choices import CustomerType
from relasi.service.choices import (
    EscalationTrigger,
    HolidayKind,
    Language,
    Priority,
    RoutingStrategy,
)


class BilingualName(models.Model):
    """An English name and an optional Bahasa Indonesia name, shown in the user's language."""

    name = models.CharField(_("name (English)"), max_length=100)
    name_id = models.CharField(_("name (Bahasa Indonesia)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        if self.name_id and (get_language() or "").startswith("id"):
            return self.name_id
        return self.name


class TicketType(BilingualName):
    """What a ticket is about: complaint, question, service request, return (RMA), warranty …"""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    is_complaint = models.BooleanField(
        _("complaint"),
        default=False,
        help_text=_("Complaints enter the complaint register (root cause, resolution, report)."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")


class Category(BilingualName):
    """A subject area for tickets (used by routing, scripts and the complaint report)."""

    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")


class BusinessHours(models.Model):
    """Opening hours per weekday in one time zone; SLA clocks count only these, minus holidays.

    `hours` maps a weekday ("0" = Monday … "6" = Sunday) to [[start, end], …] in minutes after
    local midnight (480 = 08:00; an end of 1440 means midnight)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=60, default="Asia/Jakarta")
    hours = models.JSONField(_("opening hours"), default=dict)
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A closed day: Indonesian public holidays and cuti bersama (seeded 2025–2027; the
    government's SKB must be checked every year), or a company closure."""

    date = models.DateField(_("date"), db_index=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=20, choices=HolidayKind.choices, default=HolidayKind.NATIONAL
    )
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("Untick for estimated dates not yet fixed by the government's decree (SKB)."),
    )
    calendar = models.ForeignKey(
        BusinessHours,
        verbose_name=_("only for calendar"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_holidays",
        help_text=_("Leave empty for a holiday every calendar observes."),
    )

    class Meta:
        ordering = ["date", "name"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["date", "name"], name="service_holiday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Queue(models.Model):
    """A pile of tickets worked by a set of agents; its team scopes who sees the tickets."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_queues",
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents"),
        blank=True,
        related_name="service_queues",
    )
    strategy = models.CharField(
        _("assignment"),
        max_length=20,
        choices=RoutingStrategy.choices,
        default=RoutingStrategy.ROUND_ROBIN,
    )
    is_default = models.BooleanField(
        _("default queue"), default=False, help_text=_("Used when no routing rule matches.")
    )
    active = models.BooleanField(_("active"), default=True)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name


class SLAPolicy(models.Model):
    """First-response and resolution targets in business minutes. The first active policy (by
    order) whose conditions all match a ticket applies; empty conditions match anything."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
    )
    customer_tag = models.ForeignKey(
        Tag,
        verbose_name=_("customer tier (tag)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer_type = models.CharField(
        _("customer type"), max_length=10, choices=CustomerType.choices, blank=True
    )
    calendar = models.ForeignKey(
        BusinessHours,
        verbose_name=_("business hours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sla_policies",
        help_text=_("Empty: the default calendar."),
    )
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    warn_percent = models.PositiveSmallIntegerField(_("warn at (% of the target used)"), default=75)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warn_percent__gte=1, warn_percent__lte=100),
                name="service_sla_warn_percent_range",
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gte=1, resolution_minutes__gte=1),
                name="service_sla_targets_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """If a new ticket matches every condition set here, it goes to `queue` (first match by
    order wins); the queue's strategy then picks an agent."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("ticket type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    customer_tag = models.ForeignKey(
        Tag,
        verbose_name=_("customer tier (tag)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer_type = models.CharField(
        _("customer type"), max_length=10, choices=CustomerType.choices, blank=True
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated; any one in the subject or description matches."),
    )
    queue = models.ForeignKey(
        Queue, verbose_name=_("send to queue"), on_delete=models.CASCADE, related_name="rules"
    )
    set_priority = models.CharField(
        _("set priority"), max_length=10, choices=Priority.choices, blank=True
    )
    assign = models.BooleanField(_("assign an agent"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.split(",") if k.strip()]


class EscalationRule(models.Model):
    """What happens when a ticket nears or breaches a target: reassign, notify, raise priority.
    `manage.py check_sla` (and the background sweep) applies each rule once per ticket."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("when"), max_length=20, choices=EscalationTrigger.choices)
    delay_minutes = models.PositiveIntegerField(_("delay (minutes after the trigger)"), default=0)
    queue = models.ForeignKey(
        Queue,
        verbose_name=_("only tickets in queue"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_rules",
    )
    priority = models.CharField(
        _("only priority"), max_length=10, choices=Priority.choices, blank=True
    )
    reassign_queue = models.ForeignKey(
        Queue,
        verbose_name=_("move to queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reassign_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reassign to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notify_manager = models.BooleanField(_("notify the assignee's manager"), default=True)
    notify_assignee = models.BooleanField(_("notify the assignee"), default=True)
    raise_priority = models.BooleanField(_("raise the priority one step"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return self.name


class CannedReply(TimestampedModel):
    """A ready-made answer; placeholders such as {customer_name} are filled per ticket."""

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ID
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canned_replies",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title


class DialogueScript(TimestampedModel):
    """A step-by-step question guide for first-contact diagnosis, written as text:

        start: Apakah lampu indikator menyala?
          - Ya -> heat
          - Tidak -> END: Periksa kabel dan stopkontak.

    `steps` is the parsed form (relasi.service.scripts.parse) kept in step with `source`."""

    name = models.CharField(_("name"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    ticket_type = models.ForeignKey(
        TicketType,
        verbose_name=_("for ticket type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scripts",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("for category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scripts",
    )
    active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("script"))
    steps = models.JSONField(default=dict, editable=False)
    start_step = models.CharField(max_length=40, editable=False, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("dialogue script")
        verbose_name_plural = _("dialogue scripts")

    def __str__(self) -> str:
        return self.name

    def step(self, key: str) -> dict[str, Any] | None:
        return self.steps.get(key)
