from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    APPOINTMENT = "appointment", _("Appointment")


MEETING_KINDS = (Kind.MEETING, Kind.APPOINTMENT)


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outgoing")
    INBOUND = "inbound", _("Incoming")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    CALLBACK = "callback_requested", _("Callback requested")


class Confirmation(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    RESCHEDULED = "rescheduled", _("Reschedule requested")
    NO_SHOW = "no_show", _("No-show")


class DueState(models.TextChoices):
    """Odoo/Pipedrive colour conventions: red overdue, amber today, green planned, grey none."""

    OVERDUE = "overdue", _("Overdue")
    TODAY = "today", _("Today")
    PLANNED = "planned", _("Planned")
    NONE = "none", _("No date")
    DONE = "done", _("Done")


class Recipient(models.TextChoices):
    USER = "user", _("Assignee")
    CUSTOMER = "customer", _("Customer")


class VisitOutcome(models.TextChoices):
    ORDER = "order", _("Order taken")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")
    NOT_MET = "not_met", _("Contact not met")
    OTHER = "other", _("Other")


class FeedScope(models.TextChoices):
    OWN = "own", _("My activities")
    TEAM = "team", _("My and my team's activities")


REMIND_CHOICES = [
    ("", _("No reminder")),
    ("0", _("At the time")),
    ("10", _("10 minutes before")),
    ("30", _("30 minutes before")),
    ("60", _("1 hour before")),
    ("1440", _("1 day before")),
]
