"""Forms of the public pages: portal sign-in, portal tickets and replies, surveys."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.service.forms import UploadField
from relasi.service.models import Category, TicketType


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)


class PortalTicketForm(forms.Form):
    ticket_type = forms.ModelChoiceField(
        label=_("What is it about?"), queryset=TicketType.objects.none()
    )
    category = forms.ModelChoiceField(
        label=_("Topic"), queryset=Category.objects.none(), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Describe the problem or request"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    attachment = UploadField(label=_("Photo or document (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticket_type"].queryset = TicketType.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    attachment = UploadField(label=_("Photo or document (optional)"))


def _scale(low: int, high: int) -> list[tuple[str, str]]:
    return [(str(i), str(i)) for i in range(low, high + 1)]


class CsatForm(forms.Form):
    csat = forms.ChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=_scale(1, 5),
        widget=forms.RadioSelect,
        help_text=_("1 = very dissatisfied, 5 = very satisfied"),
    )
    ces = forms.ChoiceField(
        label=_("How easy was it to get your problem solved?"),
        choices=_scale(1, 7),
        widget=forms.RadioSelect,
        required=False,
        help_text=_("1 = very difficult, 7 = very easy"),
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class NpsForm(forms.Form):
    nps = forms.ChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague?"),
        choices=_scale(0, 10),
        widget=forms.RadioSelect,
        help_text=_("0 = not at all likely, 10 = extremely likely"),
    )
    comment = forms.CharField(
        label=_("What is the main reason for your score? (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
