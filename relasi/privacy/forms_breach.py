"""Forms of the breach register and the ROPA (their choices are the shared lists of choices.py)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.privacy.choices import DataCategory, NoticeAudience, SubjectCategory
from relasi.privacy.models import BreachIncident, ProcessingActivity

LOCAL_DT = "%Y-%m-%dT%H:%M"
MAX_HOURS = 24 * 30


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL_DT)


def _dt_field(label: Any, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_DT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


def _categories(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class BreachForm(forms.ModelForm):
    discovered_at = _dt_field(_("Discovered at"), True)
    occurred_at = _dt_field(_("Occurred at"), False)
    data_categories = _categories(_("Affected data"), DataCategory.choices)
    notify_within_hours = forms.IntegerField(
        label=_("Notify within (hours)"),
        min_value=1,
        max_value=MAX_HOURS,
        initial=72,
        help_text=_("UU PDP art. 46: at most 3 × 24 hours after discovery."),
    )

    class Meta:
        model = BreachIncident
        fields = [
            "title", "status", "risk", "discovered_at", "occurred_at", "occurred_approximate",
            "description", "data_categories", "affected_scope", "affected_query", "measures",
            "consequences", "advice", "notify_within_hours",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "consequences": forms.Textarea(attrs={"rows": 3}),
            "advice": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["discovered_at"].initial = timezone.localtime().strftime(LOCAL_DT)
            self.fields["notify_within_hours"].initial = self.instance.notify_within_hours
        elif self.instance.snapshot_at is not None:
            for name in ("affected_scope", "affected_query"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Frozen: the people were notified.")


class NoticeForm(forms.Form):
    audience = forms.ChoiceField(label=_("Notified"), choices=NoticeAudience.choices)
    at = _dt_field(_("Sent at"), False)
    reference = forms.CharField(
        label=_("Reference or channel"),
        max_length=200,
        required=False,
        help_text=_("The authority's receipt number, or how the people were told (e-mail, post)."),
    )


class ProcessingForm(forms.ModelForm):
    subject_categories = _categories(_("Whose data"), SubjectCategory.choices)
    data_categories = _categories(_("Data categories"), DataCategory.choices)

    class Meta:
        model = ProcessingActivity
        fields = [
            "name", "name_id", "purpose", "basis", "description", "description_id",
            "subject_categories", "data_categories", "recipients_internal", "processors",
            "partners", "transfers_abroad", "transfer_destinations", "transfer_safeguards",
            "retention", "security_measures", "active", "sort_order",
        ]  # fmt: skip
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "description", "description_id", "recipients_internal", "processors", "partners",
                "transfer_destinations", "transfer_safeguards", "retention", "security_measures",
            )
        }  # fmt: skip
