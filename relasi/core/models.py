"""Shared plumbing models: base mixins every domain model builds on, plus the few
cross-cutting tables (tags, custom field definitions, audit trail, jobs, saved views)."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relasi.core.choices import AuditAction, CustomFieldType, EmailStatus, JobStatus, ReadChannel


class TimestampedModel(models.Model):
    """Creation and last-change times (timezone-aware)."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Optimistic locking: every write through an action bumps `version`; a write that
    carries an older version is refused instead of silently overwriting (fault F8)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class OwnedModel(models.Model):
    """A record owned by a user and (optionally) a team: the unit of record visibility."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class Tag(models.Model):
    """A free label shared by all record types."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(_("colour"), max_length=20, default="secondary")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class TaggedModel(models.Model):
    """Adds free tags."""

    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), blank=True, related_name="%(app_label)s_%(class)s_set"
    )

    class Meta:
        abstract = True


class CustomFieldsModel(models.Model):
    """Values of administrator-defined custom fields, keyed by `CustomField.key`."""

    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        abstract = True


class BaseRecord(TimestampedModel, VersionedModel, OwnedModel, TaggedModel, CustomFieldsModel):
    """The base of every business record: timestamps, version, owner/team, tags, custom fields."""

    class Meta:
        abstract = True


class CustomField(models.Model):
    """An administrator-defined field on a model (its values live in the model's `custom`)."""

    model_label = models.CharField(_("record type"), max_length=100, db_index=True)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label (English)"), max_length=100)
    label_id = models.CharField(_("label (Bahasa Indonesia)"), max_length=100, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["model_label", "order", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(fields=["model_label", "key"], name="customfield_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.model_label}.{self.key}"

    @property
    def display_label(self) -> str:
        if self.label_id and (get_language() or "").startswith("id"):
            return self.label_id
        return self.label


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """One append-only audit record: who did what to which record, with a field-level diff."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only.")


class SensitiveReadQuerySet(models.QuerySet["SensitiveRead"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The read log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The read log is append-only.")


class SensitiveRead(models.Model):
    """One read of a sensitive field's plaintext (relasi/core/crypto.py `reveal`), append-only:
    who, when, which record, which field, and through what (screen, API, export)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sensitive_reads",
    )
    user_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    field_name = models.CharField(_("field"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=ReadChannel.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = SensitiveReadQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sensitive field read")
        verbose_name_plural = _("sensitive field reads")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="sensitive_read_obj_idx"),
            models.Index(fields=["user", "at"], name="sensitive_read_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_label} · {self.object_repr} · {self.field_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The read log is append-only.")
        super().save(*args, **kwargs)

    @classmethod
    def log(
        cls, user: Any, obj: models.Model, field_name: str, channel: str, ip: str | None = None
    ) -> "SensitiveRead":
        return cls.objects.create(
            user=user if getattr(user, "pk", None) else None,
            user_label=(user.get_username() if getattr(user, "pk", None) else "system")[:150],
            content_type=ContentType.objects.get_for_model(obj._meta.concrete_model or obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            field_name=field_name,
            channel=channel,
            ip=ip,
        )


class Job(models.Model):
    """Status and progress of a long-running background task, polled by the UI."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    label = models.CharField(_("description"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recovery (core/recovery.py): the task run executing the job, how often it was started,
    # and when it last showed a sign of life.
    task_id = models.UUIDField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class SavedView(models.Model):
    """A named list view: filters (query string), visible columns and sort, private or shared."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    model_label = models.CharField(max_length=100)
    name = models.CharField(_("name"), max_length=100)
    query = models.TextField(_("filters"), blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    shared = models.BooleanField(_("shared with everyone"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "model_label", "name"], name="savedview_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life, written every few seconds by a thread of `db_worker`.
    A task left running by a worker without a recent heartbeat was killed (core/recovery.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)
    task_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class RateCounter(models.Model):
    """One fixed-window attempt counter of core/throttle.py, incremented atomically in the
    database so every process shares it (login, two-factor, reset, search, export limits)."""

    key = models.CharField(max_length=100, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class OutboundEmail(models.Model):
    """One e-mail in the outbox (core/mail.py): written where the message is handed over,
    delivered exactly once by a retried background task, kept with its outcome."""

    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    from_email = models.CharField(_("from"), max_length=320, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    message = models.JSONField(default=dict)
    message_id = models.CharField(max_length=255, blank=True)
    ref = models.CharField(_("about"), max_length=100, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipients}"


class CompanyProfile(TimestampedModel, VersionedModel):
    """The company's own details (one row, *Settings → Company*): the letterhead of quotes and
    other documents sent to customers, and the default terms in both languages."""

    name = models.CharField(_("company name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    tax_id = models.CharField(_("tax ID (NPWP)"), max_length=30, blank=True)
    # Small PNG/JPEG kept in the database, so every app machine renders the same letterhead
    # without shared media storage; embedded into documents as a data: URI.
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_name = models.CharField(_("account holder"), max_length=200, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=50, blank=True)
    terms = models.TextField(_("default terms (English)"), blank=True)
    terms_id = models.TextField(_("default terms (Bahasa Indonesia)"), blank=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or getattr(settings, "COMPANY_NAME", "") or ""

    def terms_for(self, language: str | None = None) -> str:
        """The default terms in `language` (the active one), else in the other language."""
        lang = language or get_language() or ""
        first, second = (
            (self.terms_id, self.terms) if lang.startswith("id") else (self.terms, self.terms_id)
        )
        return first or second

    @classmethod
    def current(cls) -> "CompanyProfile":
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create(name=getattr(settings, "COMPANY_NAME", "") or "")
