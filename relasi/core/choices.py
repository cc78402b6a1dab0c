from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team's records")
    SUBORDINATES = "subordinates", _("Own and subordinates' records")
    ALL = "all", _("All records")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    BULK = "bulk", _("Bulk action")
    SECURITY = "security", _("Security event")


class ReadChannel(models.TextChoices):
    """Where a sensitive field's plaintext was read (relasi/core/crypto.py)."""

    UI = "ui", _("Screen")
    API = "api", _("API")
    EXPORT = "export", _("Export")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
