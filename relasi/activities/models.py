"""Activities: tasks, calls, meetings and appointments (one `Activity` table, so the calendar,
the iCal feed, reminders, the timeline and "next activity" read one table), their reminders,
in-app notifications, private calendar feeds, and field visits with GPS check-in/out.

An activity links to a customer (a nullable foreign key, followed by merges) and to any other
record (deal, lead, ticket …) through a generic relation, so this app imports no later app."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.activities.choices import (
    MEETING_KINDS,
    OPEN_STATUSES,
    CallOutcome,
    Confirmation,
    Direction,
    FeedScope,
    Kind,
    Priority,
    Recipient,
    Status,
    VisitOutcome,
)
from relasi.core.models import BaseRecord


class ActivityQuerySet(models.QuerySet["Activity"]):
    def open(self) -> "ActivityQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def linked_to(self, obj: models.Model) -> "ActivityQuerySet":
        """Activities on `obj`: a customer through the foreign key, anything else generically."""
        from relasi.customers.models import Customer

        if isinstance(obj, Customer):
            return self.filter(customer_id=obj.pk)
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=obj.pk)


class Activity(BaseRecord):
    """A task, call, meeting or appointment. `owner` is the assignee; `due_at` is the deadline
    of a task or the start of a call or meeting (local midnight of the day when `all_day`)."""

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.TASK)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description / notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    due_at = models.DateTimeField(_("due / starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    done_at = models.DateTimeField(_("completed"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities_delegated",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        # Customer.activities is the psychographic field (hobbies), hence the prefix.
        related_name="crm_activities",
    )
    # Any other record (deal, lead, ticket …) without importing its app.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("linked record type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("linked record"), null=True, blank=True)
    linked = GenericForeignKey("content_type", "object_id")
    # Calls
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    # Meetings and appointments
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    confirmation = models.CharField(
        _("confirmation"), max_length=20, choices=Confirmation.choices, blank=True
    )
    confirmation_note = models.CharField(_("customer's note"), max_length=300, blank=True)
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    responded_at = models.DateTimeField(_("customer responded"), null=True, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants (users)"),
        blank=True,
        related_name="activities_attending",
    )
    contacts = models.ManyToManyField(
        "customers.Customer",
        verbose_name=_("participants (customers)"),
        through="ActivityContact",
        blank=True,
        related_name="activities_attending",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="activity_owner_due_idx"),
            models.Index(fields=["customer", "due_at"], name="activity_customer_idx"),
            models.Index(fields=["content_type", "object_id"], name="activity_linked_idx"),
            models.Index(fields=["due_at", "id"], name="activity_due_idx"),
            models.Index(fields=["kind", "done_at"], name="activity_kind_done_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="activity_progress_max"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(due_at__isnull=True)
                | Q(ends_at__gte=models.F("due_at")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        name = {Kind.TASK: "task", Kind.CALL: "call"}.get(self.kind, "meeting")  # type: ignore[call-overload]
        return reverse(f"activities:{name}_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_meeting(self) -> bool:
        return self.kind in MEETING_KINDS

    @property
    def is_delegated(self) -> bool:
        return bool(self.assigned_by_id and self.assigned_by_id != self.owner_id)

    @property
    def due_state(self) -> str:
        from relasi.activities.selectors import due_state

        return due_state(self)


class ActivityContact(models.Model):
    """A customer taking part in a meeting (besides the main `Activity.customer`)."""

    access_via = "activity"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="contact_links")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="activity_links"
    )

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.customer_id}"


class Reminder(models.Model):
    """One reminder of an activity, to its assignee (in the app and by e-mail) or to the
    customer (by e-mail). `sent_at` makes delivery idempotent: the deferred task and the
    `send_due_reminders` command both claim a reminder before sending it."""

    access_via = "activity"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.CharField(
        _("to"), max_length=10, choices=Recipient.choices, default=Recipient.USER
    )
    channel = models.CharField(_("channel"), max_length=20, default="email")
    minutes_before = models.PositiveIntegerField(_("minutes before"), default=0)
    remind_at = models.DateTimeField(_("remind at"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("delivery problem"), max_length=300, blank=True)

    class Meta:
        ordering = ["remind_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(
                fields=["remind_at"],
                condition=Q(sent_at__isnull=True),
                name="reminder_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} @ {self.remind_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app message for one user (the bell in the top bar)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "id"], name="notification_user_idx")]

    def __str__(self) -> str:
        return self.text


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _new_key() -> str:
    return secrets.token_hex(6)


class CalendarFeed(models.Model):
    """A user's private iCal feed. The token in the URL is the only credential: it can be
    regenerated at any time (the old URL stops working at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # `key` names the feed in its settings URLs (no sequential ids); `token` is the secret.
    key = models.CharField(max_length=12, unique=True, default=_new_key, editable=False)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    scope = models.CharField(
        _("contents"), max_length=10, choices=FeedScope.choices, default=FeedScope.OWN
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(_("last read by a calendar"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_scope_display()})"


class Visit(BaseRecord):
    """A field visit: a rep checks in and out at a customer's site from a phone. Positions are
    taken only at those two moments, with the browser's permission (no tracking in between)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("planned meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    checked_in_at = models.DateTimeField(_("checked in"), default=timezone.now)
    in_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    in_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    in_accuracy_m = models.PositiveIntegerField(_("check-in accuracy (m)"), null=True, blank=True)
    in_distance_m = models.PositiveIntegerField(_("check-in distance (m)"), null=True, blank=True)
    # The customer's location as it was at check-in, so the report stays stable.
    site_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    site_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    out_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    out_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    out_accuracy_m = models.PositiveIntegerField(_("check-out accuracy (m)"), null=True, blank=True)
    out_distance_m = models.PositiveIntegerField(_("check-out distance (m)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VisitOutcome.choices, blank=True
    )
    notes = models.TextField(_("visit notes"), blank=True)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["owner", "checked_in_at"], name="visit_owner_idx"),
            models.Index(fields=["customer", "checked_in_at"], name="visit_customer_idx"),
            models.Index(fields=["checked_in_at", "id"], name="visit_in_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="visit_out_after_in",
            )
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.checked_in_at)
        return f"{self.customer} · {local:%d-%m-%Y %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("activities:visit_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.checked_out_at is None

    @property
    def minutes_on_site(self) -> int | None:
        if self.checked_out_at is None:
            return None
        return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)

    @property
    def max_distance_m(self) -> int | None:
        values = [d for d in (self.in_distance_m, self.out_distance_m) if d is not None]
        return max(values) if values else None

    @property
    def is_anomaly(self) -> bool:
        from relasi.activities.geo import ALERT_DISTANCE_M

        return (self.max_distance_m or 0) > ALERT_DISTANCE_M
