"""Orders and stores pages (declarative viewsets); orders arrive through the importer and the
API, so the UI lists, shows, exports and deletes them."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as gl

from relasi.commerce import actions
from relasi.commerce.models import Order, Store
from relasi.core.formatting import money
from relasi.core.views import require
from relasi.core.viewsets import BulkAction, Column, RecordViewSet


def _bulk_delete(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    return actions.delete_orders(actor, list(qs.values_list("pk", flat=True)))


class OrderEditForm(forms.ModelForm):
    """Only what a person corrects by hand; lines come from the source system."""

    class Meta:
        model = Order
        fields = ["status", "owner", "note"]


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    """Orders come from POS/ERP files or the API: "New" opens the import wizard (for users who
    may add orders; everyone else gets 403, anonymous visitors the sign-in page)."""
    require(request, "commerce", "add")
    return redirect("integrations:import_new")


class OrderViewSet(RecordViewSet):
    model = Order
    form_class = OrderEditForm
    module = "commerce"
    url_name = "order"
    default_order = "-ordered_at"
    select_related = ("customer", "store", "owner")
    detail_template = "commerce/order_detail.html"
    columns = [
        Column("number", gl("Number"), accessor=lambda o: str(o), order="number", link=True),
        Column("ordered_at", gl("Date"), order="ordered_at"),
        Column("customer", gl("Customer")),
        Column("store", gl("Store")),
        Column("channel", gl("Channel"), accessor="get_channel_display", order="channel"),
        Column("total", gl("Total"), accessor=lambda o: money(o.total), order="total"),
        Column("status", gl("Status"), accessor="get_status_display", order="status"),
        Column("owner", gl("Sales rep")),
        Column("source", gl("Source"), order="source"),
    ]
    default_columns = ["number", "ordered_at", "customer", "store", "total", "status", "owner"]
    bulk_actions = [
        BulkAction("delete", gl("Delete"), "delete", _bulk_delete, confirm=True, danger=True)
    ]

    def filterset(self, data: Any, queryset: Any, user: Any, custom: Any = None) -> Any:
        return None

    def base_queryset(self) -> Any:
        qs = Order.objects.all()
        return qs

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {
            "lines": obj.lines.select_related("product"),
            "payments": obj.payments.all(),
            "returns": obj.returns.prefetch_related("lines"),
        }

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_order(actor, obj)

    def urls(self, prefix: str) -> list[URLPattern]:
        from relasi.core import views as v

        n = self.url_name
        return [
            path(f"{prefix}/", v.ObjectListView.as_view(viewset=self), name=f"{n}_list"),
            # Orders come from POS/ERP files or the API: "New" opens the import wizard.
            path(f"{prefix}/new/", order_new, name=f"{n}_create"),
            path(f"{prefix}/export/", v.ObjectExportView.as_view(viewset=self), name=f"{n}_export"),
            path(f"{prefix}/bulk/", v.BulkActionView.as_view(viewset=self), name=f"{n}_bulk"),
            path(
                f"{prefix}/<int:pk>/", v.ObjectDetailView.as_view(viewset=self), name=f"{n}_detail"
            ),
            path(
                f"{prefix}/<int:pk>/edit/", v.ObjectEditView.as_view(viewset=self), name=f"{n}_edit"
            ),
            path(
                f"{prefix}/<int:pk>/delete/",
                v.ObjectDeleteView.as_view(viewset=self),
                name=f"{n}_delete",
            ),
        ]


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["code", "name", "channel", "city", "province", "address", "team", "active"]


class StoreViewSet(RecordViewSet):
    model = Store
    module = "commerce"
    url_name = "store"
    form_class = StoreForm
    scoped = False
    default_order = "name"
    columns = [
        Column("name", gl("Name"), order="name", link=True),
        Column("code", gl("Code"), order="code"),
        Column("channel", gl("Channel"), accessor="get_channel_display", order="channel"),
        Column("city", gl("City"), order="city"),
        Column("province", gl("Province")),
        Column("active", gl("Active")),
    ]
    detail_fields = ["code", "name", "channel", "city", "province", "address", "team", "active"]
    bulk_actions = []
