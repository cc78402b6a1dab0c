"""The record of processing activities (ROPA; UU PDP art. 31, GDPR art. 30)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relasi.core.models import TimestampedModel, VersionedModel
from relasi.privacy.choices import DataCategory, LawfulBasis, SubjectCategory
from relasi.privacy.models.purpose import Purpose


class ProcessingActivity(TimestampedModel, VersionedModel):
    """One processing activity: why (purpose, lawful basis), whose data (subject categories),
    which data, who receives it, whether it leaves Indonesia and under which safeguards, how long
    it is kept and how it is protected. Defaults are created on install (`ropa.ensure_defaults`);
    privacy users edit them."""

    key = models.SlugField(_("key"), max_length=40, blank=True, default="")
    name = models.CharField(_("name (English)"), max_length=150)
    name_id = models.CharField(_("name (Bahasa Indonesia)"), max_length=150, blank=True)
    purpose = models.ForeignKey(
        Purpose,
        verbose_name=_("purpose"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="processing_activities",
    )
    description = models.TextField(_("description (English)"), blank=True, max_length=5000)
    description_id = models.TextField(
        _("description (Bahasa Indonesia)"), blank=True, max_length=5000
    )
    basis = models.CharField(
        _("lawful basis"), max_length=25, choices=LawfulBasis.choices, default=LawfulBasis.CONTRACT
    )
    subject_categories = models.JSONField(_("whose data"), default=list, blank=True)
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    recipients_internal = models.TextField(_("internal recipients"), blank=True, max_length=2000)
    processors = models.TextField(
        _("processors"),
        blank=True,
        max_length=2000,
        help_text=_("Service providers who process the data for you (hosting, e-mail, WhatsApp)."),
    )
    partners = models.TextField(_("third parties and partners"), blank=True, max_length=2000)
    transfers_abroad = models.BooleanField(_("transferred outside Indonesia"), default=False)
    transfer_destinations = models.TextField(
        _("transfer destinations"), blank=True, max_length=2000
    )
    transfer_safeguards = models.TextField(
        _("transfer safeguards"),
        blank=True,
        max_length=2000,
        help_text=_(
            "UU PDP art. 56: equal protection, binding safeguards or the person's consent."
        ),
    )
    retention = models.TextField(_("retention"), blank=True, max_length=2000)
    security_measures = models.TextField(_("security measures"), blank=True, max_length=5000)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "name", "id"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="processing_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("privacy:processing_detail", args=[self.pk])

    @property
    def label(self) -> str:
        lang = get_language() or "id"
        return (self.name_id if lang.startswith("id") else self.name) or self.name or self.key

    @property
    def text(self) -> str:
        lang = get_language() or "id"
        return (self.description_id if lang.startswith("id") else self.description) or ""

    def data_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels[c]) for c in self.data_categories if c in labels]

    def subject_labels(self) -> list[str]:
        labels = dict(SubjectCategory.choices)
        return [str(labels[c]) for c in self.subject_categories if c in labels]
