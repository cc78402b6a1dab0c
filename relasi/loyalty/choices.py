from django.db import models
from django.utils.translation import gettext_lazy as _


class Rounding(models.TextChoices):
    DOWN = "down", _("Round down")
    HALF_UP = "half_up", _("Round to nearest")
    UP = "up", _("Round up")


class ExpiryMode(models.TextChoices):
    NEVER = "never", _("Never")
    ROLLING = "rolling", _("Rolling months after earning")
    END_OF_YEAR = "end_of_year", _("End of the year after earning")


class RuleKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    CATEGORY = "category", _("Product category")
    ORDER = "order", _("Every order (campaign)")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class EnrolChannel(models.TextChoices):
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    POS = "pos", _("Point of sale")
    PORTAL = "portal", _("Customer portal")
    IMPORT = "import", _("Import / back-fill")


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    BONUS = "bonus", _("Bonus")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjustment")
    REVERSE = "reverse", _("Reversal")
    TRANSFER_OUT = "transfer_out", _("Transferred out")
    TRANSFER_IN = "transfer_in", _("Transferred in")
