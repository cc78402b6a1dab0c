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


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


OPEN_LEAD_STATUSES = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]


class DisqualifyReason(models.TextChoices):
    NO_BUDGET = "no_budget", _("No budget")
    NO_NEED = "no_need", _("No need")
    NO_RESPONSE = "no_response", _("No response")
    COMPETITOR = "competitor", _("Chose a competitor")
    WRONG_CONTACT = "wrong_contact", _("Wrong or fake contact data")
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam")
    OTHER = "other", _("Other")


class LeadEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    WEB_FORM = "web_form", _("Web form submitted")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    SCORED = "scored", _("Score changed")
    NOTE = "note", _("Note")
    CONTACT = "contact", _("Contact made")
    CONVERTED = "converted", _("Converted")
    UPDATED = "updated", _("Updated")


class RuleMatch(models.TextChoices):
    ANY = "any", _("Every lead")
    TERRITORY = "territory", _("Territory (province / city)")
    SOURCE = "source", _("Source")
    INTEREST = "interest", _("Product interest")


class ScoreKind(models.TextChoices):
    DEMOGRAPHIC = "demographic", _("Demographic (who the lead is)")
    BEHAVIOURAL = "behavioural", _("Behavioural (what the lead did)")


class ScoreField(models.TextChoices):
    SOURCE = "source", _("Source")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COMPANY = "company", _("Company")
    JOB_TITLE = "job_title", _("Job title")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    EXPECTED_VALUE = "expected_value", _("Expected value")
    PRODUCT_INTEREST = "product_interest", _("Product interest")
    CONSENT = "consent", _("Consent given")


class ScoreOperator(models.TextChoices):
    IS_SET = "is_set", _("is filled in")
    EQUALS = "equals", _("equals")
    CONTAINS = "contains", _("contains")
    GTE = "gte", _("is at least")
    LTE = "lte", _("is at most")


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealValueSource(models.TextChoices):
    """Where a deal's value comes from: what the rep typed, or the sum of its product lines."""

    TYPED = "typed", _("The value typed in")
    LINES = "lines", _("The sum of the product lines")


class ForecastCategory(models.TextChoices):
    COMMIT = "commit", _("Commit")
    BEST_CASE = "best_case", _("Best case")
    PIPELINE = "pipeline", _("Pipeline")
    OMITTED = "omitted", _("Omitted")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Discount rejected")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SUPERSEDED = "superseded", _("Superseded")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class ForecastScope(models.TextChoices):
    REP = "rep", _("Rep")
    TEAM = "team", _("Team")
    COMPANY = "company", _("Company")
