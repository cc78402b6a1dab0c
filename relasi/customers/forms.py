from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.core import crypto
from relasi.core.access import visible_to
from relasi.core.customfields import CustomFieldFormMixin
from relasi.core.forms import TagField
from relasi.customers.choices import (
    BlacklistReason,
    Lifecycle,
    RelationshipKind,
)
from relasi.customers.models import Address, Customer, Group, Organization, Person


class ListField(forms.CharField):
    """Comma- or line-separated values <-> list of strings."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value or ""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [v.strip() for v in text.replace("\n", ",").split(",") if v.strip()][:50]


class ContactsMixin(forms.Form):
    emails_text = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the primary address."),
    )
    phones_text = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, any format (0812…, +62 812…); the first is primary."),
    )

    def init_contacts(self, instance: Customer | None) -> None:
        if instance is not None and instance.pk:
            self.fields["emails_text"].initial = "\n".join(
                instance.emails.values_list("email", flat=True)
            )
            self.fields["phones_text"].initial = "\n".join(
                instance.phones.values_list("number", flat=True)
            )

    def contact_lists(self) -> tuple[list[str], list[str]]:
        def split(name: str) -> list[str]:
            return [
                v.strip() for v in (self.cleaned_data.get(name) or "").splitlines() if v.strip()
            ]

        return split("emails_text"), split("phones_text")


class OwnershipMixin:
    def limit_to_user(self, user: Any) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        if "owner" in fields:
            fields["owner"].queryset = User.objects.filter(is_active=True)
        if "team" in fields:
            fields["team"].queryset = Team.objects.all()
        if "referred_by" in fields:
            fields["referred_by"].queryset = visible_to(user, Customer.objects.all())
            fields["referred_by"].widget = forms.NumberInput()
            fields["referred_by"].help_text = _("Customer number of the referrer.")


class SensitiveFieldsMixin:
    """NIK and bank details for users allowed to see them (core/crypto.py); other users' forms
    have no such fields, so they can neither read nor set them. The stored value is never put
    into the form: a blank field keeps it, a tick on "remove" clears it."""

    sensitive_names: tuple[str, ...] = ("bank_account",)

    def limit_to_user(self, user: Any) -> None:
        super().limit_to_user(user)  # type: ignore[misc]
        self._sensitive_on = crypto.may_reveal(user)
        if not self._sensitive_on:
            return
        fields = self.fields  # type: ignore[attr-defined]
        instance = self.instance  # type: ignore[attr-defined]
        for name in self.sensitive_names:
            entry = crypto.entry_for(Customer, name)
            assert entry is not None
            shown = crypto.masked(user, instance, name) if instance.pk else ""
            if name == "bank_account":
                fields["bank_name"] = forms.CharField(
                    label=_("Bank"), required=False, max_length=100, initial=instance.bank_name
                )
            fields[name] = forms.CharField(
                label=entry.label,
                required=False,
                max_length=40,
                help_text=_("Stored: %(value)s. Leave blank to keep it.") % {"value": shown}
                if shown
                else "",
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
            )
            if shown:
                fields[f"clear_{name}"] = forms.BooleanField(
                    label=_("Remove the stored %(label)s") % {"label": entry.label},
                    required=False,
                )

    def _clean_sensitive(self, name: str) -> str:
        entry = crypto.entry_for(Customer, name)
        assert entry is not None
        return entry.clean(self.cleaned_data.get(name) or "")  # type: ignore[attr-defined]

    def clean_national_id(self) -> str:
        return self._clean_sensitive("national_id")

    def clean_bank_account(self) -> str:
        return self._clean_sensitive("bank_account")

    def sensitive_data(self) -> dict[str, Any]:
        """The sensitive values to write (only what the user typed or removed)."""
        if not getattr(self, "_sensitive_on", False):
            return {}
        data: dict[str, Any] = {}
        cleaned = self.cleaned_data  # type: ignore[attr-defined]
        for name in self.sensitive_names:
            if cleaned.get(f"clear_{name}"):
                data[name] = ""
            elif cleaned.get(name):
                data[name] = cleaned[name]
        if "bank_name" in cleaned and cleaned["bank_name"] != self.instance.bank_name:  # type: ignore[attr-defined]
            data["bank_name"] = cleaned["bank_name"]
        return data


class PersonForm(
    SensitiveFieldsMixin, OwnershipMixin, CustomFieldFormMixin, ContactsMixin, forms.ModelForm
):
    sensitive_names = ("national_id", "bank_account")

    tags = TagField()
    interests = ListField(label=_("Interests"), required=False)
    activities = ListField(label=_("Activities"), required=False)
    opinions = ListField(label=_("Opinions"), required=False)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "customer_type",
            "lifecycle_stage",
            "source",
            "referred_by",
            "date_of_birth",
            "gender",
            "occupation",
            "income_band",
            "region",
            "interests",
            "activities",
            "opinions",
            "preferred_channel",
            "preferred_language",
            "owner",
            "team",
            "tags",
            "background",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "background": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.init_contacts(self.instance)


class OrganizationForm(
    SensitiveFieldsMixin, OwnershipMixin, CustomFieldFormMixin, ContactsMixin, forms.ModelForm
):
    tags = TagField()

    class Meta:
        model = Organization
        fields = [
            "name",
            "legal_name",
            "industry",
            "website",
            "tax_id",
            "employee_count",
            "customer_type",
            "lifecycle_stage",
            "source",
            "referred_by",
            "preferred_channel",
            "preferred_language",
            "owner",
            "team",
            "tags",
            "background",
        ]
        widgets = {"background": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        if not self.instance.pk:
            self.fields["customer_type"].initial = "b2b"
        self.init_contacts(self.instance)


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = [
            "kind",
            "street",
            "rt",
            "rw",
            "kelurahan",
            "kecamatan",
            "city",
            "province",
            "postal_code",
            "country",
            "is_primary",
        ]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class BlacklistForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=BlacklistReason.choices)
    note = forms.CharField(label=_("Details"), required=False, max_length=300)


class RelationshipForm(forms.Form):
    other = forms.IntegerField(label=_("Customer number"))
    kind = forms.ChoiceField(label=_("Relationship"), choices=RelationshipKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class MembershipForm(forms.Form):
    organization = forms.IntegerField(label=_("Organisation number"))
    title = forms.CharField(label=_("Title / role"), required=False, max_length=100)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=Lifecycle.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class GroupForm(forms.ModelForm):
    tags = TagField()

    class Meta:
        model = Group
        fields = ["name", "description", "owner", "team", "tags"]

    def limit_to_user(self, user: Any) -> None:
        self.fields["owner"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]


class GroupPickForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.all())


class StagePickForm(forms.Form):
    stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=Lifecycle.choices)
