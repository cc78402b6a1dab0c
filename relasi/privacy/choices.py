"""Choices of the privacy app. Channels are the customers app's (one list in Relasi)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relasi.customers.choices import Channel

__all__ = [
    "SPECIFIC",
    "AffectedScope",
    "BreachRisk",
    "BreachStatus",
    "Channel",
    "ConsentSource",
    "ConsentStatus",
    "DataCategory",
    "LawfulBasis",
    "NoticeAudience",
    "SubjectCategory",
]


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Asked for, waiting for the person's confirmation (double opt-in: e-mail link, reply YA).
    PENDING = "pending", _("Awaiting confirmation")


class LawfulBasis(models.TextChoices):
    """UU PDP art. 20(2) a–f; GDPR art. 6(1) a–f."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    VITAL_INTERESTS = "vital_interests", _("Vital interests")
    PUBLIC_TASK = "public_task", _("Public task")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    PORTAL = "portal", _("Customer portal")
    PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
    EMAIL_LINK = "email_link", _("E-mail link")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
    WHATSAPP_REPLY = "whatsapp_reply", _("WhatsApp reply")
    SMS_REPLY = "sms_reply", _("SMS reply")
    STAFF_CALL = "staff_call", _("Staff, on a call")
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    MIGRATION = "migration", _("Earlier records")
    SYSTEM = "system", _("Relasi")


# --- breach register and record of processing activities (ROPA) -------------------------------
class DataCategory(models.TextChoices):
    """Kinds of personal data, one list for the breach register and the ROPA. UU PDP art. 4(2)
    "specific" data (health, biometric, children, personal financial data) are `SPECIFIC`."""

    IDENTITY = "identity", _("Identity (name, date of birth, gender)")
    CONTACT = "contact", _("Contact details (e-mail, phone, address)")
    ID_NUMBERS = "id_numbers", _("ID numbers (NIK, NPWP, passport)")
    FINANCIAL = "financial", _("Financial data (bank account, payment card, income)")
    HEALTH = "health", _("Health data")
    BIOMETRIC = "biometric", _("Biometric data")
    CHILDREN = "children", _("Children's data")
    PURCHASES = "purchases", _("Purchase history")
    LOCATION = "location", _("Location data")
    COMMUNICATIONS = "communications", _("Communications (messages, call notes, tickets)")
    ONLINE = "online", _("Online identifiers (accounts, IP addresses, cookies)")
    PREFERENCES = "preferences", _("Preferences, segments and scores")


SPECIFIC = frozenset(
    {DataCategory.HEALTH, DataCategory.BIOMETRIC, DataCategory.CHILDREN, DataCategory.FINANCIAL}
)


class SubjectCategory(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    LEADS = "leads", _("Leads and prospects")
    ORG_CONTACTS = "org_contacts", _("Contacts of organisations")
    STAFF = "staff", _("Staff")


class BreachStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONTAINED = "contained", _("Contained")
    NOTIFIED = "notified", _("Notified")
    CLOSED = "closed", _("Closed")


class BreachRisk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class AffectedScope(models.TextChoices):
    UNKNOWN = "unknown", _("Not determined yet")
    ALL = "all", _("All people")
    QUERY = "query", _("People matching a filter")


class NoticeAudience(models.TextChoices):
    AUTHORITY = "authority", _("The authority")
    PEOPLE = "people", _("The affected people")


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise")
    DELETE = "delete", _("Delete")


class RetentionTrigger(models.TextChoices):
    MANUAL = "manual", _("Started by a user")
    SCHEDULED = "scheduled", _("Nightly schedule")
    COMMAND = "command", _("Management command")
    API = "api", _("API")


class RetentionRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
