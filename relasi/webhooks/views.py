"""Webhook endpoints for administrators (module "integrations"), on the generic
configuration viewset: list, create, edit, delete, and a detail page with the delivery log,
redelivery, and revealing or rotating the secret (htmx fragments, both audited)."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.core.views import require
from relasi.core.viewsets import Column
from relasi.service.views.config import ConfigViewSet
from relasi.webhooks import actions, events, ssrf
from relasi.webhooks.models import Delivery, WebhookEndpoint

MODULE = "integrations"


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=gl("Event types"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [("*", gl("All events")), *events.event_types()]  # type: ignore[attr-defined]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            ssrf.resolve(str(url))
        except ssrf.UnsafeURL as exc:
            raise forms.ValidationError(str(exc)) from exc
        return str(url)


class EndpointViewSet(ConfigViewSet):
    model = WebhookEndpoint
    module = MODULE
    url_name = "endpoint"
    form_class = EndpointForm
    detail_template = "webhooks/endpoint_detail.html"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("url", gl("URL")),
        Column("event_types", gl("Event types"), accessor=lambda e: ", ".join(e.event_types)),
        Column("active", gl("Active")),
        Column("disabled_reason", gl("Disabled because")),
    ]
    detail_fields = ["name", "url", "active", "owner", "disabled_reason"]

    def form_data(self, form: forms.ModelForm) -> tuple[dict[str, Any], Any]:
        return {k: form.cleaned_data[k] for k in actions.FIELDS}, None

    def create(self, actor: Any, form: forms.ModelForm) -> Any:
        return actions.create_endpoint(actor, self.form_data(form)[0])[0]

    def update(self, actor: Any, obj: Any, form: forms.ModelForm, version: int | None) -> Any:
        return actions.update_endpoint(actor, obj, self.form_data(form)[0], version)

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_endpoint(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        rows = obj.deliveries.select_related("event").order_by("-id")[:50]
        return {
            "extra_rows": [(gl("Event types"), ", ".join(obj.event_types))],
            "deliveries": rows,
        }

    def urls(self, prefix: str) -> list[URLPattern]:
        return [
            path(f"{prefix}/<int:pk>/secret/", secret, name="endpoint_secret"),
            path("deliveries/<int:pk>/redeliver/", redeliver, name="redeliver"),
            *super().urls(prefix),
        ]


@login_required
@require_POST
def secret(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the secret (once, on request) or rotate it; both audited."""
    require(request, MODULE, "change")
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.POST.get("rotate"):
        value = actions.rotate_secret(request.user, endpoint)
    else:
        value = endpoint.get_secret()
        audit.record(request.user, AuditAction.UPDATE, endpoint, message="secret shown")
    return render(request, "webhooks/_secret.html", {"secret": value})


@login_required
@require_POST
def redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, MODULE, "change")
    row = get_object_or_404(Delivery.objects.select_related("endpoint", "event"), pk=pk)
    row = actions.redeliver(request.user, row)
    return render(request, "webhooks/_delivery_row.html", {"d": row})
