"""The ROPA pages: list/detail/create/edit from the generic viewset, plus the export for the
regulator (CSV, XLSX, PDF) in Bahasa Indonesia or English."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_safe

from relasi.core import audit, csvutil, exporting
from relasi.core.choices import AuditAction
from relasi.core.views import require
from relasi.core.viewsets import Column, RecordViewSet
from relasi.privacy import ropa
from relasi.privacy.forms_breach import ProcessingForm
from relasi.privacy.models import ProcessingActivity

FORMATS = ("csv", "xlsx", "pdf")


class ProcessingViewSet(RecordViewSet):
    model = ProcessingActivity
    module = "privacy"
    url_name = "processing"
    form_class = ProcessingForm
    scoped = False
    default_order = "sort_order"
    select_related = ("purpose",)
    list_template = "privacy/ropa_list.html"
    detail_template = "privacy/ropa_detail.html"
    bulk_actions: list = []
    columns = [
        Column("name", gl("Processing activity"), accessor="label", order="name", link=True),
        Column("purpose", gl("Purpose")),
        Column("basis", gl("Lawful basis"), accessor="get_basis_display", order="basis"),
        Column("data", gl("Data categories"), accessor=lambda a: ", ".join(a.data_labels())),
        Column("transfers_abroad", gl("Transferred outside Indonesia"), order="transfers_abroad"),
        Column("retention", gl("Retention")),
        Column("active", gl("Active"), order="active"),
    ]

    def filterset(self, data: Any, queryset: Any, user: Any, custom: Any = None) -> Any:
        return None

    def create(self, actor: Any, form: Any) -> ProcessingActivity:
        return ropa.create_activity(actor, self.form_data(form)[0])

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> ProcessingActivity:
        return ropa.update_activity(actor, obj, self.form_data(form)[0], expected_version=version)

    def delete(self, actor: Any, obj: Any) -> None:
        ropa.delete_activity(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {"exports": export_links()}

    def urls(self, prefix: str) -> list[URLPattern]:
        return [
            path(f"{prefix}/regulator/<str:fmt>/<str:lang>/", export, name="processing_regulator"),
            *super().urls(prefix),
        ]


def export_links() -> list[tuple[str, str, str]]:
    return [
        (fmt.upper(), lang, reverse("privacy:processing_regulator", args=[fmt, lang]))
        for lang in ropa.LANGUAGES
        for fmt in FORMATS
    ]


@login_required
@require_safe
def export(request: HttpRequest, fmt: str, lang: str) -> Any:
    """The whole ROPA (active activities) for the regulator."""
    require(request, "privacy", "export")
    if fmt not in FORMATS or lang not in ropa.LANGUAGES:
        from django.http import Http404

        raise Http404
    if limited := exporting.throttled(request.user):
        return limited
    queryset = ProcessingActivity.objects.filter(active=True).order_by("sort_order", "name", "pk")
    audit.record(
        request.user,
        AuditAction.EXPORT,
        model=ProcessingActivity,
        message=f"ROPA {fmt.upper()} ({lang})",
        ip=audit.client_ip(request),
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"ropa-{lang}-{stamp}.{fmt}"
    if fmt == "pdf":
        pdf = HttpResponse(ropa.render_pdf(queryset, lang), content_type="application/pdf")
        pdf["Content-Disposition"] = f'attachment; filename="{name}"'
        return pdf
    header, rows = ropa.export_table(queryset, lang)
    if fmt == "xlsx":
        return exporting.xlsx_response(name, header, rows)
    response = StreamingHttpResponse(
        csvutil.stream_rows(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
