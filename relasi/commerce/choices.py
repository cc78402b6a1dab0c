from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesChannel(models.TextChoices):
    STORE = "store", _("Store")
    WEB = "web", _("Web shop")
    MARKETPLACE = "marketplace", _("Marketplace")
    PHONE = "phone", _("Phone / WhatsApp")
    FIELD = "field", _("Field sales")


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    QRIS = "qris", _("QRIS")
    CARD = "card", _("Debit / credit card")
    EWALLET = "ewallet", _("E-wallet")
    CREDIT = "credit", _("Store credit / invoice")


class ReturnReason(models.TextChoices):
    DEFECTIVE = "defective", _("Defective")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    CHANGED_MIND = "changed_mind", _("Changed mind")
    OTHER = "other", _("Other")
