"""Forms of the inbox: reply, note, assignment, status."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.conversations.choices import ConversationStatus


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4096
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4096,
        help_text=_("Only your team sees notes. Mention a colleague with @username."),
    )


class AssignForm(forms.Form):
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        label=_("Assign to"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["owner"].queryset = users  # type: ignore[attr-defined]
        self.fields["owner"].empty_label = _("Nobody")  # type: ignore[attr-defined]
        self.fields["owner"].widget.attrs["class"] = "form-select form-select-sm"


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ConversationStatus.choices, label=_("Status"))
    snooze_until = forms.DateTimeField(
        required=False,
        label=_("Snooze until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select form-select-sm w-auto"
        self.fields["snooze_until"].widget.attrs["class"] = "form-control form-control-sm w-auto"


class LinkCustomerForm(forms.Form):
    customer_id = forms.IntegerField(label=_("Customer"), min_value=1, max_value=2**63 - 1)
