"""Leads and everything that feeds them: web forms, assignment rules, scoring rules."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relasi.core.models import BaseRecord, TimestampedModel, VersionedModel
from relasi.customers.choices import Source
from relasi.sales.choices import (
    DisqualifyReason,
    LeadEventKind,
    LeadStatus,
    RuleMatch,
    ScoreField,
    ScoreKind,
    ScoreOperator,
)
from relasi.sales.models.products import Product, default_currency


class Lead(BaseRecord):
    """Someone who may buy: not yet a customer. Conversion links (or creates) the customer
    through the duplicate check and keeps the lead as history (`converted_*`)."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.OTHER, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    disqualify_reason = models.CharField(
        _("disqualification reason"), max_length=20, choices=DisqualifyReason.choices, blank=True
    )
    disqualify_note = models.CharField(_("disqualification note"), max_length=300, blank=True)
    product_interest = models.ForeignKey(
        Product,
        verbose_name=_("product interest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    interest = models.CharField(_("interest"), max_length=300, blank=True)
    expected_value = models.DecimalField(
        _("expected value"), max_digits=18, decimal_places=2, default=Decimal(0)
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    notes = models.TextField(_("notes"), blank=True)
    # Scoring (relasi.sales.scoring): the number, and the reasons that add up to it.
    score = models.IntegerField(_("score"), default=0, db_index=True)
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True, editable=False)
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # Consent captured with the lead (web form checkbox); becomes a ContactPermission.
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    consent_text = models.CharField(_("consent wording"), max_length=500, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    web_form = models.ForeignKey(
        "sales.WebForm",
        verbose_name=_("web form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    # Conversion
    converted_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted to person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_organization = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted to organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_org_leads",
    )
    converted_deal = models.ForeignKey(
        "sales.Deal",
        verbose_name=_("converted to deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "status", "score"], name="lead_worklist_idx"),
            models.Index(fields=["status", "id"], name="lead_status_idx"),
            models.Index(fields=["created_at", "id"], name="lead_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.DISQUALIFIED, disqualify_reason=""),
                name="lead_disqualified_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:lead_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class LeadEvent(models.Model):
    """One entry of a lead's history (creation, status, assignment, score, conversion …).

    After conversion these entries appear on the customer's timeline."""

    access_via = "lead"
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LeadEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        indexes = [models.Index(fields=["lead", "at"], name="leadevent_lead_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"


class WebForm(TimestampedModel, VersionedModel):
    """An administrator-built lead-capture form with a public hosted page `/f/<key>/`."""

    key = models.UUIDField(_("public key"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("heading shown on the form"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # [{"name": "email", "required": true}, …] chosen from relasi.sales.webforms.FIELDS
    fields = models.JSONField(_("fields"), default=list)
    consent_text = models.CharField(_("consent checkbox text"), max_length=500, blank=True)
    consent_required = models.BooleanField(_("consent required"), default=False)
    submit_label = models.CharField(_("button text"), max_length=60, blank=True)
    thank_you_text = models.TextField(_("thank-you text"), blank=True)
    redirect_url = models.URLField(_("redirect after submitting"), blank=True)
    source = models.CharField(
        _("lead source"), max_length=20, choices=Source.choices, default=Source.WEB_FORM
    )
    product_interest = models.ForeignKey(
        Product,
        verbose_name=_("product interest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to use the assignment rules."),
    )
    target_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("assign to team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    send_welcome = models.BooleanField(_("send a welcome e-mail"), default=True)
    welcome_subject = models.CharField(_("welcome e-mail subject"), max_length=200, blank=True)
    welcome_body = models.TextField(_("welcome e-mail text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:webform_detail", args=[self.pk])

    def public_url(self) -> str:
        from django.urls import reverse

        return reverse("webform_public", args=[self.key])


class WebFormSubmission(models.Model):
    """One accepted submission (spam that was refused is only counted in the log)."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    data = models.JSONField(default=dict)
    ip_hash = models.CharField(max_length=64, blank=True)
    referrer = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("web form submission")
        verbose_name_plural = _("web form submissions")

    def __str__(self) -> str:
        return f"{self.form} {self.at:%Y-%m-%d %H:%M}"


class SalesRepSettings(models.Model):
    """Per-rep lead routing settings: capacity (open leads) and whether they take new leads."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sales_settings"
    )
    accepts_leads = models.BooleanField(_("receives new leads"), default=True)
    max_open_leads = models.PositiveIntegerField(
        _("maximum open leads"), null=True, blank=True, help_text=_("Empty = no limit.")
    )

    class Meta:
        verbose_name = _("rep lead settings")
        verbose_name_plural = _("rep lead settings")

    def __str__(self) -> str:
        return str(self.user)


class AssignmentRule(TimestampedModel, VersionedModel):
    """Routes a new lead to a rep. Rules run in `order`; the first that matches and has a rep
    with free capacity wins. A rule with a team and no user deals round-robin in that team."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=10)
    active = models.BooleanField(_("active"), default=True)
    match = models.CharField(
        _("matches"), max_length=20, choices=RuleMatch.choices, default=RuleMatch.ANY
    )
    provinces = models.JSONField(_("provinces"), default=list, blank=True)
    cities = models.JSONField(_("cities"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    products = models.ManyToManyField(
        Product, verbose_name=_("products"), blank=True, related_name="+"
    )
    interest_keywords = models.JSONField(_("interest keywords"), default=list, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team (round-robin)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    respect_capacity = models.BooleanField(_("respect capacity"), default=True)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(user__isnull=False),
                name="assignmentrule_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScoringRule(TimestampedModel):
    """A transparent scoring rule. Demographic: `field operator value` → points. Behavioural:
    points for each lead event of `event` kind (capped by `max_points`), halved every
    `ScoreSettings.half_life_days` since the lead's last activity."""

    name = models.CharField(_("name (English)"), max_length=100)
    name_id = models.CharField(_("name (Bahasa Indonesia)"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ScoreKind.choices, default=ScoreKind.DEMOGRAPHIC
    )
    field = models.CharField(_("field"), max_length=20, choices=ScoreField.choices, blank=True)
    operator = models.CharField(
        _("operator"), max_length=10, choices=ScoreOperator.choices, default=ScoreOperator.IS_SET
    )
    value = models.CharField(_("value"), max_length=200, blank=True)
    event = models.CharField(_("event"), max_length=20, choices=LeadEventKind.choices, blank=True)
    points = models.IntegerField(_("points"))
    max_points = models.IntegerField(_("at most (points)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=10)

    class Meta:
        ordering = ["kind", "order", "id"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the English one when no Indonesian is given)."""
        if self.name_id and (get_language() or "").startswith("id"):
            return self.name_id
        return self.name


class ScoreSettings(models.Model):
    """Company-wide scoring settings (one row)."""

    half_life_days = models.PositiveIntegerField(
        _("behavioural points halve every (days)"),
        default=30,
        help_text=_("0 = no decay."),
    )

    class Meta:
        verbose_name = _("score settings")
        verbose_name_plural = _("score settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ScoreSettings":
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create()
