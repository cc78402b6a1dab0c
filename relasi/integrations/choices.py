from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    READY = "ready", _("Mapped")
    CHECKING = "checking", _("Dry run running")
    CHECKED = "checked", _("Dry run done")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip rows that match an existing record")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create a new record anyway")


class RecordAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")


class InvalidPhonePolicy(models.TextChoices):
    KEEP = "keep", _("Keep the number as written, flagged as invalid")
    DROP = "drop", _("Leave the number out")


class RowReportKind(models.TextChoices):
    REJECTED = "rejected", _("Rejected")
    WARNING = "warning", _("Warning")
    DUPLICATE = "duplicate", _("Duplicate")
