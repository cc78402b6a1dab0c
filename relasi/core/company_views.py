"""Settings → Company: the letterhead on quotes and other customer documents (administrators)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core import company, records
from relasi.core.models import CompanyProfile
from relasi.core.views import require


class CompanyForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=gl("Logo"),
        required=False,
        help_text=gl("PNG or JPEG, at most 512 KB; printed at the top of quotes."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gl("Remove the logo"), required=False)

    class Meta:
        model = CompanyProfile
        fields = list(company.EDITABLE)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 4}),
            "terms_id": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "terms": gl("Printed on quotes in English that have no terms of their own."),
            "terms_id": gl(
                "Printed on quotes in Bahasa Indonesia that have no terms of their own."
            ),
        }


@login_required
def company_settings(request: HttpRequest) -> HttpResponse:
    require(request, "admin", "view")
    profile = CompanyProfile.current()
    form = CompanyForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST":
        require(request, "admin", "change")
        if form.is_valid():
            try:
                company.update_company(
                    request.user,
                    profile,
                    {k: form.cleaned_data[k] for k in company.EDITABLE},
                    logo=form.cleaned_data.get("logo_file"),
                    remove_logo=form.cleaned_data.get("remove_logo", False),
                    expected_version=_version(request),
                )
            except records.ConflictError as exc:
                exc.ensure_recorded()
                messages.error(request, _("Someone else changed these details; reload them."))
            except ValidationError as exc:
                form.add_error("logo_file", exc)
            else:
                messages.success(request, _("Company details saved."))
                return redirect("core:company_settings")
    context: dict[str, Any] = {
        "form": form,
        "profile": profile,
        "logo": company.logo_data_uri(profile),
        "can_change": request.user.has_module_perm("admin", "change"),  # type: ignore[union-attr]
    }
    return render(request, "core/company_settings.html", context)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None
