"""Choices of the conversations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WEBCHAT = "webchat", _("Web chat")
    SMS = "sms", _("SMS")


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")  # waiting on the customer
    SNOOZED = "snoozed", _("Snoozed")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (ConversationStatus.OPEN, ConversationStatus.PENDING, ConversationStatus.SNOOZED)


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("To the customer")
    NOTE = "note", _("Internal note")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Not sent (not allowed)")


# A status only moves forward: a late "delivered" never overwrites "read" (webhooks arrive out of
# order). FAILED outranks everything but is itself final.
DELIVERY_RANK = {
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENDING: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.DELIVERED: 3,
    DeliveryStatus.READ: 4,
    DeliveryStatus.FAILED: 5,
    DeliveryStatus.BLOCKED: 5,
}


class MessageKind(models.TextChoices):
    """What an inbound message is, beyond text: bounces and auto-replies are not the customer
    talking (they open nothing and stop no SLA clock)."""

    NORMAL = "normal", _("Message")
    AUTO_REPLY = "auto", _("Automatic reply")
    BOUNCE = "bounce", _("Bounce")
    SYSTEM = "system", _("System event")


class UnknownSender(models.TextChoices):
    CONTACT = "contact", _("Create a contact")
    LEAD = "lead", _("Create a lead")
    NOTHING = "nothing", _("Keep the conversation without a person")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
