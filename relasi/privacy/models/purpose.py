"""What personal data is used for (purposes) and the per-channel sending rules."""

import datetime as dt

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from relasi.privacy.choices import Channel, LawfulBasis

DEFAULT_TIMEZONE = "Asia/Jakarta"


class Purpose(models.Model):
    """A purpose personal data is processed for. The defaults (marketing, service messages,
    profiling/analytics, sharing with partners) are created by migration; administrators add
    their own. A purpose whose basis is consent needs a granted consent before anyone is
    contacted for it; one on contract or legitimate interests is allowed until withdrawn
    (objection, UU PDP art. 38 / GDPR art. 21)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (English)"), max_length=100)
    name_id = models.CharField(_("name (Bahasa Indonesia)"), max_length=100)
    description = models.TextField(_("description (English)"), blank=True)
    description_id = models.TextField(_("description (Bahasa Indonesia)"), blank=True)
    basis = models.CharField(
        _("lawful basis"), max_length=25, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT
    )
    blocked_by_blacklist = models.BooleanField(
        _("blocked by the blacklist"),
        default=True,
        help_text=_("Blacklisted customers are not contacted for this purpose."),
    )
    respects_quiet_hours = models.BooleanField(_("respects quiet hours"), default=True)
    capped = models.BooleanField(
        _("counts towards the weekly cap"),
        default=False,
        help_text=_("Messages for this purpose count towards each channel's weekly limit."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "key"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        lang = get_language() or "id"
        return (self.name_id if lang.startswith("id") else self.name) or self.name or self.key

    @property
    def text(self) -> str:
        lang = get_language() or "id"
        return (self.description_id if lang.startswith("id") else self.description) or ""

    @property
    def needs_consent(self) -> bool:
        return self.basis == LawfulBasis.CONSENT


class ChannelPolicy(models.Model):
    """Sending rules of one channel: quiet hours (local time of `timezone`), the weekly cap on
    messages for capped purposes, and whether a new consent needs confirming (double opt-in)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, unique=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=50, default=DEFAULT_TIMEZONE)
    weekly_cap = models.PositiveSmallIntegerField(
        _("marketing messages per week"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    double_opt_in = models.BooleanField(
        _("double opt-in"),
        default=True,
        help_text=_("A new consent counts only once the person confirms it (link or reply)."),
    )

    class Meta:
        ordering = ["channel"]
        verbose_name = _("channel policy")
        verbose_name_plural = _("channel policies")

    def __str__(self) -> str:
        return self.get_channel_display()

    def in_quiet_hours(self, local: dt.time) -> bool:
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return False
        if start < end:  # e.g. 12:00–13:00
            return start <= local < end
        return local >= start or local < end  # over midnight, e.g. 21:00–08:00
