from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from relasi.privacy import retention
from relasi.privacy.choices import RetentionAction
from relasi.privacy.models import ProcessingActivity, RetentionPolicy


class RetentionPolicyForm(forms.ModelForm):
    """A policy: the record types offered are the registered ones that accept a policy."""

    record_type = forms.ChoiceField(label=_("Record type"))
    action = forms.ChoiceField(label=_("Then"), choices=RetentionAction.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RetentionPolicy
        fields = ["record_type", "months", "action", "active", "processing", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record_type: Any = self.fields["record_type"]
        record_type.choices = [
            (t.key, f"{t.label} — {t.rule}") for t in retention.record_types(include_refused=False)
        ]
        processing: Any = self.fields["processing"]
        processing.queryset = ProcessingActivity.objects.filter(active=True)
        if self.instance.pk:
            self.fields["record_type"].disabled = True
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                retention.validate(data["record_type"], data["action"], data["months"])
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    self.add_error(key if key in self.fields else None, errors)
        return data


class RunForm(forms.Form):
    policy = forms.ModelChoiceField(queryset=RetentionPolicy.objects.all(), required=False)
    dry_run = forms.BooleanField(required=False)
