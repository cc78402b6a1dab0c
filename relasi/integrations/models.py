"""Imports: the uploaded file and its settings, the rows it rejected, the records it touched
(for undo and for "where did this record come from"), and reusable column mappings."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.models import Job
from relasi.integrations.choices import (
    DuplicatePolicy,
    ImportStatus,
    InvalidPhonePolicy,
    RecordAction,
    RowReportKind,
)


def import_path(instance: "ImportJob", filename: str) -> str:
    # Random names under MEDIA_ROOT/imports (outside the web root); the original name is a field.
    return f"imports/{uuid.uuid4().hex}"


class ImportJob(models.Model):
    """One uploaded file being imported into one target (people, organisations, ...)."""

    target = models.CharField(_("record type"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to=import_path, max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    file_format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=30, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=5, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    policy = models.CharField(
        _("duplicates"),
        max_length=10,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
    )
    fuzzy = models.BooleanField(_("also match similar names (slower)"), default=False)
    invalid_phones = models.CharField(
        _("invalid phone numbers"),
        max_length=10,
        choices=InvalidPhonePolicy.choices,
        default=InvalidPhonePolicy.KEEP,
    )
    create_organisations = models.BooleanField(
        _("create organisations that do not exist yet"), default=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    dry_run_result = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )
    error = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status"], name="import_status_idx")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("integrations:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE)

    @property
    def can_undo(self) -> bool:
        return self.status == ImportStatus.DONE and (self.created or self.updated) > 0


class ImportRowError(models.Model):
    """What the import reports about one row: rejected (not imported), a warning (imported, but
    something in it was kept flagged, left out or created) or a duplicate (skipped because it
    matched `object_id`); where it was in the file, why, and its original cells."""

    access_via = "import_job"

    import_job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    kind = models.CharField(
        _("kind"), max_length=10, choices=RowReportKind.choices, default=RowReportKind.REJECTED
    )
    line = models.PositiveIntegerField(_("line"))
    reason = models.TextField(_("reason"))
    raw = models.JSONField(_("row"), default=list)
    object_id = models.BigIntegerField(_("record"), null=True, blank=True)

    class Meta:
        ordering = ["line", "id"]
        verbose_name = _("row report")
        verbose_name_plural = _("row reports")
        indexes = [models.Index(fields=["import_job", "kind", "line"], name="import_row_kind_idx")]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class ImportedRecord(models.Model):
    """A record an import created or updated (with the values it had before, for undo)."""

    access_via = "import_job"

    import_job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    action = models.CharField(_("action"), max_length=10, choices=RecordAction.choices)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="imported_object_idx"),
            models.Index(fields=["import_job", "action"], name="imported_job_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_id}"


class SavedMapping(models.Model):
    """A named column → field mapping to reuse on the next file from the same source."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mappings"
    )
    target = models.CharField(_("record type"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "target", "name"], name="savedmapping_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
