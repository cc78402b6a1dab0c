"""Choices of the sales app (leads, deals, products, quotes, forecasts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PriceListKind(models.TextChoices):
    RETAIL = "retail", _("Retail")
    CORPORATE = "corporate", _("Corporate")
    MEMBER = "member", _("Member")
    OTHER = "other", _("Other")


class ProductUnit(models.TextChoices):
    PIECE = "pcs", _("piece")
    SET = "set", _("set")
    BOX = "box", _("box")
    PACKAGE = "pkg", _("package")
    HOUR = "hour", _("hour")
    PERSON = "person", _("person")
