"""Forms of data-subject requests (staff and portal)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.privacy.models.dsr import RequestKind, VerificationMethod


def _purpose_choices() -> list[tuple[str, str]]:
    from relasi.privacy.models import Purpose

    return [(p.key, str(p)) for p in Purpose.objects.filter(active=True).order_by("sort_order")]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request type"), choices=RequestKind.choices)
    customer = forms.IntegerField(
        label=_("Customer number"),
        required=False,
        min_value=1,
        help_text=_("Leave empty when the requester is not matched to a customer yet."),
    )
    requester_name = forms.CharField(label=_("Requester's name"), max_length=200, required=False)
    requester_email = forms.EmailField(label=_("Requester's e-mail"), required=False)
    requester_phone = forms.CharField(label=_("Requester's phone"), max_length=40, required=False)
    details = forms.CharField(
        label=_("What is asked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes objected to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For an objection: consent is withdrawn for these purposes on every channel."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = _purpose_choices()  # type: ignore[attr-defined]


class PortalRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What would you like?"), choices=RequestKind.choices)
    details = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Stop using my data for"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = _purpose_choices()  # type: ignore[attr-defined]


class VerifyForm(forms.Form):
    method = forms.ChoiceField(label=_("Identity verified by"), choices=VerificationMethod.choices)
    note = forms.CharField(label=_("Verification note"), max_length=300, required=False)


class CloseForm(forms.Form):
    text = forms.CharField(
        label=_("Outcome / reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )
