from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organisation")


class CustomerType(models.TextChoices):
    B2C = "b2c", _("B2C (consumer)")
    B2B = "b2b", _("B2B (business)")


class Lifecycle(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    REPEAT = "repeat", _("Repeat customer")
    ADVOCATE = "advocate", _("Advocate")
    FORMER = "former", _("Former / lapsed")


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    WEB_FORM = "web_form", _("Web form")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    CAMPAIGN = "campaign", _("Campaign")
    PARTNER = "partner", _("Partner")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social media")
    EVENT = "event", _("Event / exhibition")
    MESSAGE = "message", _("Incoming message")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "", _("Not stated")


class IncomeBand(models.TextChoices):
    UNKNOWN = "", _("Not stated")
    LOW = "low", _("< Rp 5 million / month")
    MIDDLE = "middle", _("Rp 5–15 million / month")
    UPPER = "upper", _("Rp 15–50 million / month")
    HIGH = "high", _("> Rp 50 million / month")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")


class Language(models.TextChoices):
    ID = "id", _("Bahasa Indonesia")
    EN = "en", _("English")


class BlacklistReason(models.TextChoices):
    FAKE = "fake", _("Fake customer")
    PAYMENT = "payment", _("Payment problems")
    ABUSE = "abuse", _("Abuse")
    OTHER = "other", _("Other")


class AddressKind(models.TextChoices):
    HOME = "home", _("Home")
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class PhoneLabel(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WHATSAPP = "whatsapp", _("WhatsApp")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class EmailLabel(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class RelationshipKind(models.TextChoices):
    FAMILY = "family", _("Family")
    SPOUSE = "spouse", _("Spouse")
    COLLEAGUE = "colleague", _("Colleague")
    FRIEND = "friend", _("Friend")
    OTHER = "other", _("Other")


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", _("Opted in")
    OPTED_OUT = "opted_out", _("Opted out")
