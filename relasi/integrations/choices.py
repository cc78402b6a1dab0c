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
