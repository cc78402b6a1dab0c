"""Breach register pages: list/detail/create/edit from the generic viewset; the notices, the
letters, the recount and the people CSV are thin views over `relasi.privacy.breach`.

The register is organisational (no owner): the privacy module permission alone decides, as for
other configuration tables (`scoped = False`)."""

from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST, require_safe

from relasi.core import audit, csvutil, exporting
from relasi.core.access import may
from relasi.core.choices import AuditAction
from relasi.core.filters import FilterSet
from relasi.core.views import require
from relasi.core.viewsets import Column, RecordViewSet
from relasi.privacy import breach, breach_letters
from relasi.privacy.choices import AffectedScope, BreachRisk, BreachStatus, NoticeAudience
from relasi.privacy.forms_breach import BreachForm, NoticeForm
from relasi.privacy.models import BreachIncident
from relasi.privacy.models.breach import Clock


def duration(seconds: int) -> str:
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest // 60}


def clock_text(clock: Clock) -> str:
    span = duration(clock.seconds_left)
    return {
        "running": _("%(time)s left") % {"time": span},
        "urgent": _("%(time)s left") % {"time": span},
        "overdue": _("Overdue by %(time)s") % {"time": span},
        "met": _("Notified in time"),
        "late": _("Notified %(time)s late") % {"time": span},
    }[clock.state]


CLOCK_CSS = {
    "running": "text-bg-info",
    "urgent": "text-bg-warning",
    "overdue": "text-bg-danger",
    "met": "text-bg-success",
    "late": "text-bg-secondary",
}


class BreachFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(label=gl("Status"), choices=BreachStatus.choices)
    risk = django_filters.ChoiceFilter(label=gl("Risk to the people"), choices=BreachRisk.choices)
    discovered_after = django_filters.DateFilter(
        label=gl("Discovered from"), field_name="discovered_at", lookup_expr="date__gte"
    )

    class Meta:
        model = BreachIncident
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class BreachViewSet(RecordViewSet):
    model = BreachIncident
    module = "privacy"
    url_name = "breach"
    scoped = False
    default_order = "-discovered_at"
    filterset_class = BreachFilterSet
    select_related = ("reported_by",)
    form_class = BreachForm
    detail_template = "privacy/breach_detail.html"
    bulk_actions: list = []
    columns = [
        Column("title", gl("Title"), accessor=str, order="title", link=True),
        Column("discovered_at", gl("Discovered"), order="discovered_at"),
        Column("status", gl("Status"), accessor="get_status_display", order="status"),
        Column("risk", gl("Risk"), accessor="get_risk_display", order="risk"),
        Column("clock", gl("Notification clock"), accessor=lambda i: clock_text(i.clock())),
        Column("affected_count", gl("Affected people"), order="affected_count"),
        Column("reported_by", gl("Reported by")),
    ]

    def create(self, actor: Any, form: Any) -> BreachIncident:
        return breach.create_incident(actor, self.form_data(form)[0])

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> BreachIncident:
        data = self.form_data(form)[0]
        for name in breach.LOCKED_AFTER_FREEZE:
            if form.fields[name].disabled:
                data.pop(name, None)
        return breach.update_incident(actor, obj, data, expected_version=version)

    def delete(self, actor: Any, obj: Any) -> None:
        breach.delete_incident(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        clock = obj.clock()
        people_url = ""
        if obj.snapshot_at is None and may(request.user, "customers.view"):
            if obj.affected_scope == AffectedScope.QUERY:
                people_url = f"{reverse('customers:person_list')}?{obj.affected_query}"
            elif obj.affected_scope == AffectedScope.ALL:
                people_url = reverse("customers:person_list")
        letters = [
            (str(label), lang, reverse("privacy:breach_letter", args=[obj.pk, audience, lang]))
            for audience, label in NoticeAudience.choices
            for lang in breach_letters.LANGUAGES
        ]
        return {
            "clock": clock,
            "clock_text": clock_text(clock),
            "clock_css": CLOCK_CSS[clock.state],
            "notice_form": NoticeForm(),
            "letters": letters,
            "people_url": people_url,
            "can_export_people": may(request.user, "privacy.export")
            and may(request.user, "customers.export"),
        }

    def urls(self, prefix: str) -> list[URLPattern]:
        return [
            *super().urls(prefix),
            path(f"{prefix}/<int:pk>/notice/", notice, name="breach_notice"),
            path(f"{prefix}/<int:pk>/recount/", recount, name="breach_recount"),
            path(f"{prefix}/<int:pk>/people.csv", people_csv, name="breach_people"),
            path(
                f"{prefix}/<int:pk>/letter/<str:audience>/<str:lang>/",
                letter,
                name="breach_letter",
            ),
        ]


def _incident(request: HttpRequest, pk: int, action: str) -> BreachIncident:
    require(request, "privacy", action)
    return get_object_or_404(BreachIncident, pk=pk)


@login_required
@require_POST
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk, "change")
    form = NoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the notice: %(errors)s") % {"errors": form.errors})
        return redirect(incident.get_absolute_url())
    try:
        breach.record_notice(
            request.user,
            incident,
            form.cleaned_data["audience"],
            at=form.cleaned_data["at"],
            reference=form.cleaned_data["reference"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Notice recorded."))
    return redirect(incident.get_absolute_url())


@login_required
@require_POST
def recount(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk, "change")
    breach.recount(request.user, incident)
    messages.success(request, _("Affected people counted again."))
    return redirect(incident.get_absolute_url())


@login_required
@require_safe
def letter(request: HttpRequest, pk: int, audience: str, lang: str) -> HttpResponse:
    incident = _incident(request, pk, "view")
    if audience not in NoticeAudience.values or lang not in breach_letters.LANGUAGES:
        from django.http import Http404

        raise Http404
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    breach.record_letter(request.user, incident, audience, lang, fmt)
    if fmt == "pdf":
        response = HttpResponse(
            breach_letters.render_pdf(incident, audience, lang), content_type="application/pdf"
        )
        name = breach_letters.filename(incident, audience, lang, "pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return HttpResponse(breach_letters.render_html(incident, audience, lang))


@login_required
@require_safe
def people_csv(request: HttpRequest, pk: int) -> Any:
    """Name, e-mail, phone and preferred language of the affected people, for the mailing."""
    incident = _incident(request, pk, "export")
    require(request, "customers", "export")
    if limited := exporting.throttled(request.user):
        return limited
    audit.record(
        request.user,
        AuditAction.EXPORT,
        incident,
        message=f"affected people {'XLSX' if request.GET.get('format') == 'xlsx' else 'CSV'}"
        + (" (frozen list)" if incident.snapshot_at else ""),
        ip=audit.client_ip(request),
    )
    header = [_("Name"), _("E-mail"), _("Phone"), _("Preferred language")]
    rows = breach.affected_rows(incident, request.user)
    if request.GET.get("format") == "xlsx":  # typed cells: phone numbers keep their "+"
        return exporting.xlsx_response(f"breach-{incident.pk}-people.xlsx", header, rows)
    response = StreamingHttpResponse(
        csvutil.stream_rows(header, rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="breach-{incident.pk}-people.csv"'
    return response
