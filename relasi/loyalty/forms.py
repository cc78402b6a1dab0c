from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.loyalty.models import Programme


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "code", "name", "active", "starts_on", "earn_spend", "earn_points", "rounding",
            "point_value", "min_redemption", "max_redeem_percent", "first_purchase_bonus",
            "birthday_multiplier", "expiry_mode", "expiry_months", "retro_days", "number_prefix",
            "allow_transfer",
        ]  # fmt: skip


class EnrolForm(forms.Form):
    """The application form: what the person tells us goes to their customer record."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    marketing_whatsapp = forms.BooleanField(label=_("Offers by WhatsApp"), required=False)
    marketing_email = forms.BooleanField(label=_("Offers by e-mail"), required=False)


class PointsForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=-(10**12), max_value=10**12)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
