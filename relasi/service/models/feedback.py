"""Customer feedback: CSAT + CES surveys after a resolved ticket and NPS surveys sent to a
group. One `Survey` row is one invitation and (once answered) its single response."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.customers.models import Customer, Group
from relasi.service.choices import Language, SurveyKind
from relasi.service.models.tickets import Ticket


class NpsCampaign(models.Model):
    """An NPS survey sent to every member of a customer group (by a background job)."""

    name = models.CharField(_("name"), max_length=150)
    group = models.ForeignKey(
        Group,
        verbose_name=_("customer group"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="nps_campaigns",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped (no e-mail)"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("NPS campaign")
        verbose_name_plural = _("NPS campaigns")

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """An invitation to answer (by a single-use link) and, once answered, the answer."""

    access_via = "customer"

    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="service_surveys",
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    campaign = models.ForeignKey(
        NpsCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ID)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    ces = models.PositiveSmallIntegerField(_("effort (1–7)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("recommend (0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [
            models.Index(fields=["kind", "responded_at"], name="survey_answered_idx"),
            models.Index(fields=["customer", "sent_at"], name="survey_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__gte=1, csat__lte=5),
                name="survey_csat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ces__isnull=True) | models.Q(ces__gte=1, ces__lte=7),
                name="survey_ces_range",
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__gte=0, nps__lte=10),
                name="survey_nps_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id}"

    @property
    def answered(self) -> bool:
        return self.responded_at is not None
