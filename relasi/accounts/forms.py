from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Role, Team, User
from relasi.core.modules import ACTIONS, MODULES


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username or e-mail"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=256)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app (or a recovery code)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReauthForm(forms.Form):
    """Asks for the current password before a sensitive change (SECURITY.md check 9)."""

    current_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Your current password is not correct."))
        return value


class EnableTwoFactorForm(ReauthForm, CodeForm):
    pass


class EmailChangeForm(ReauthForm):
    email = forms.EmailField(label=_("New e-mail address"))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("Another user has this e-mail address."))
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language", "time_zone"]


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to let the user set one through 'forgot password'."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "phone",
            "role",
            "team",
            "manager",
            "language",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["password"]
            self.fields["manager"].queryset = User.objects.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def clean_manager(self) -> User | None:
        manager = self.cleaned_data.get("manager")
        if manager and self.instance.pk and manager.pk in self.instance.subordinate_ids():
            raise forms.ValidationError(_("A manager cannot report to someone below them."))
        return manager


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "description"]


class RoleForm(forms.ModelForm):
    """The role plus a module × action grid of checkboxes."""

    class Meta:
        model = Role
        fields = [
            "name",
            "slug",
            "description",
            "visibility",
            "require_2fa",
            "max_discount_percent",
            "may_view_sensitive",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        perms = self.instance.permissions or {}
        for module in MODULES:
            for action in ACTIONS:
                self.fields[f"perm__{module}__{action}"] = forms.BooleanField(
                    required=False,
                    initial=action in perms.get(module, []),
                    label=str(ACTIONS[action]),
                )

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("perm__")]

    def permission_grid(self) -> list[tuple[Any, list[Any]]]:
        return [(MODULES[m], [self[f"perm__{m}__{a}"] for a in ACTIONS]) for m in MODULES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grid: dict[str, list[str]] = {}
        for module in MODULES:
            granted = [a for a in ACTIONS if data.get(f"perm__{module}__{a}")]
            if granted and "view" not in granted:
                granted.insert(0, "view")
            if granted:
                grid[module] = granted
        self.instance.permissions = grid
        return data


SCOPE_CHOICES = [("", _("No access")), ("read", _("Read")), ("write", _("Read and write"))]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_at = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for module, label in MODULES.items():
            self.fields[f"scope__{module}"] = forms.ChoiceField(
                label=str(label), choices=SCOPE_CHOICES, required=False
            )

    def scopes(self) -> dict[str, str]:
        return {m: v for m in MODULES if (v := self.cleaned_data.get(f"scope__{m}"))}


class RevokeTokensMixin(forms.Form):
    """A new password also offers to revoke the API tokens (on by default): a token made
    by whoever knew the old password would otherwise survive the reset."""

    revoke_tokens = forms.BooleanField(
        label=_("Also revoke all my API tokens"),
        help_text=_("Scripts and integrations using them stop working until you issue new ones."),
        required=False,
        initial=True,
    )


class ResetPasswordForm(SetPasswordForm, RevokeTokensMixin):
    pass


class ChangePasswordForm(PasswordChangeForm, RevokeTokensMixin):
    pass
