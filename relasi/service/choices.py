from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WALK_IN = "walk_in", _("Walk-in")
    WEB_FORM = "web_form", _("Web form")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    WEB_CHAT = "web_chat", _("Web chat")
    SOCIAL = "social", _("Social media")
    PORTAL = "portal", _("Customer portal")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER: list[str] = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


def raised(priority: str) -> str:
    """The next priority up (urgent stays urgent)."""
    i = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[min(i + 1, len(PRIORITY_ORDER) - 1)]


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending customer")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


_WORKING = [Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED]
# Allowed status changes (enforced in actions.change_status; the UI only offers these).
TRANSITIONS: dict[str, list[str]] = {
    Status.NEW: list(_WORKING),
    Status.OPEN: [Status.PENDING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED],
    Status.PENDING: [Status.OPEN, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED],
    Status.ON_HOLD: [Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED],
    Status.REOPENED: [Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED],
    Status.RESOLVED: [Status.CLOSED, Status.REOPENED],
    Status.CLOSED: [Status.REOPENED],
}
# Tickets still being worked on (counted as open, shown in queues, checked for SLA).
ACTIVE = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.REOPENED]
# The SLA clocks stop while the ticket waits on the customer or is done.
PAUSED = [Status.PENDING, Status.RESOLVED, Status.CLOSED]
DONE = [Status.RESOLVED, Status.CLOSED]


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Reply to the customer")
    NOTE = "note", _("Internal note")
    CUSTOMER = "customer", _("From the customer")
    SYSTEM = "system", _("System")


class RoutingStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded (fewest open tickets)")
    MANUAL = "manual", _("No automatic assignment")


class EscalationTrigger(models.TextChoices):
    FIRST_RESPONSE_WARNING = "fr_warning", _("First response: breach approaching")
    FIRST_RESPONSE_BREACH = "fr_breach", _("First response: target breached")
    RESOLUTION_WARNING = "res_warning", _("Resolution: breach approaching")
    RESOLUTION_BREACH = "res_breach", _("Resolution: target breached")


class RootCause(models.TextChoices):
    PRODUCT_DEFECT = "product_defect", _("Product defect")
    DELIVERY = "delivery", _("Delivery / logistics")
    STAFF = "staff", _("Staff behaviour")
    BILLING = "billing", _("Billing / payment")
    INFORMATION = "information", _("Wrong or missing information")
    PROCESS = "process", _("Process / policy")
    SUPPLIER = "supplier", _("Supplier / third party")
    CUSTOMER_USE = "customer_use", _("Customer use / expectation")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ID = "id", _("Bahasa Indonesia")
    EN = "en", _("English")


class ArticleVisibility(models.TextChoices):
    PUBLIC = "public", _("Public (help centre and portal)")
    INTERNAL = "internal", _("Internal (staff only)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Satisfaction after a ticket (CSAT + CES)")
    NPS = "nps", _("Net Promoter Score")


class HolidayKind(models.TextChoices):
    NATIONAL = "national", _("Public holiday")
    COLLECTIVE = "collective", _("Collective leave (cuti bersama)")
    COMPANY = "company", _("Company closure")
