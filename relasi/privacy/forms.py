from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.privacy.choices import Channel, ConsentSource, ConsentStatus
from relasi.privacy.models import ChannelPolicy, Purpose, Suppression, SuppressionReason

STAFF_SOURCES = [
    (ConsentSource.STAFF_CALL, ConsentSource.STAFF_CALL.label),
    (ConsentSource.STAFF, _("Staff (in person, paper form)")),
]


class ConsentForm(forms.Form):
    """A consent staff record (on a call, from a paper form)."""

    purpose = forms.ModelChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.filter(active=True), to_field_name="key"
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    status = forms.ChoiceField(
        label=_("Consent"),
        choices=[
            (ConsentStatus.GRANTED, _("Granted")),
            (ConsentStatus.WITHDRAWN, _("Withdrawn / objects")),
        ],
    )
    source = forms.ChoiceField(label=_("How"), choices=STAFF_SOURCES)
    wording = forms.CharField(
        label=_("What the person was told"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the purpose's description."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=300,
        help_text=_("e.g. call reference, form number."),
    )


class SuppressionForm(forms.ModelForm):
    class Meta:
        model = Suppression
        fields = ["channel", "address", "reason", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = SuppressionReason.MANUAL


class PurposeForm(forms.ModelForm):
    class Meta:
        model = Purpose
        fields = [
            "key", "name", "name_id", "description", "description_id", "basis",
            "blocked_by_blacklist", "respects_quiet_hours", "capped", "active", "sort_order",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "description_id": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the key is what code and links refer to
            self.fields["key"].disabled = True


class ChannelPolicyForm(forms.ModelForm):
    class Meta:
        model = ChannelPolicy
        fields = ["quiet_start", "quiet_end", "timezone", "weekly_cap", "double_opt_in"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean_timezone(self) -> str:
        import zoneinfo

        value = self.cleaned_data["timezone"]
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("Unknown time zone.")) from exc
        return str(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data


class PreferencesForm(forms.Form):
    """One checkbox per (purpose, channel) the person has an address for."""

    def __init__(self, *args: Any, cells: list[tuple[Purpose, str, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cells = cells
        for purpose, channel, checked in cells:
            self.fields[f"{purpose.key}__{channel}"] = forms.BooleanField(
                required=False, initial=checked, label=f"{purpose.label}: {channel}"
            )
