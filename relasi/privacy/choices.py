"""Choices of the privacy app. Channels are the customers app's (one list in Relasi)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relasi.customers.choices import Channel

__all__ = ["Channel", "ConsentSource", "ConsentStatus", "LawfulBasis"]


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
