"""Field visits: the phone check-in / check-out page, the visit list and detail, using the
check-in position as the customer's location, and the attendance / visits report."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.activities import actions, report
from relasi.activities.filtersets import VisitFilterSet
from relasi.activities.forms import CheckInForm, CheckOutForm, VisitForm
from relasi.activities.geo import ALERT_DISTANCE_M, site_address
from relasi.activities.models import Visit
from relasi.activities.selectors import visible_activities
from relasi.core import audit, csvutil
from relasi.core.access import get_for_user, visible_to
from relasi.core.choices import AuditAction
from relasi.core.records import ConflictError
from relasi.core.typing import AuthedRequest
from relasi.core.views import require
from relasi.core.viewsets import DELETE, Column, RecordViewSet
from relasi.customers.models import Customer


def _minutes(v: Visit) -> str:
    m = v.minutes_on_site
    return report.hours(m) if m is not None else _("on site")


def _distance(v: Visit) -> str:
    d = v.max_distance_m
    if d is None:
        return _("unknown")
    return f"{d} m" + (" ⚠" if d > ALERT_DISTANCE_M else "")


class VisitViewSet(RecordViewSet):
    model = Visit
    module = "activities"
    url_name = "visit"
    form_class = VisitForm
    filterset_class = VisitFilterSet
    default_order = "-checked_in_at"
    select_related = ("owner", "customer")
    detail_template = "activities/visit_detail.html"
    form_template = "activities/activity_form.html"
    bulk_actions = [DELETE]
    columns = [
        Column("customer", gl("Customer"), link=True),
        Column(
            "checked_in_at",
            gl("Checked in"),
            order="checked_in_at",
            accessor=lambda v: timezone.localtime(v.checked_in_at).strftime("%d-%m-%Y %H:%M"),
        ),
        Column("time", gl("Time on site"), accessor=_minutes),
        Column("distance", gl("Distance"), accessor=_distance),
        Column("outcome", gl("Outcome"), accessor="get_outcome_display"),
        Column("owner", gl("Rep")),
        Column("notes", gl("Notes")),
    ]
    default_columns = ["customer", "checked_in_at", "time", "distance", "outcome", "owner"]

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Any:
        from relasi.core import records

        return records.update_record(
            actor,
            obj,
            {"outcome": form.cleaned_data["outcome"], "notes": form.cleaned_data["notes"]},
            expected_version=version,
        )

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {
            "alert_m": ALERT_DISTANCE_M,
            "checkout_form": CheckOutForm(initial={"version": obj.version}),
            "is_mine": obj.owner_id == request.user.pk,
            "can_set_location": request.user.has_module_perm("customers", "change"),
        }

    def urls(self, prefix: str) -> list[URLPattern]:
        # Visits start with a check-in, not a blank form.
        return [p for p in super().urls(prefix) if p.name != f"{self.url_name}_create"]


def _visits(request: AuthedRequest) -> Any:
    return visible_to(request.user, Visit.objects.all())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def check_in(request: AuthedRequest) -> HttpResponse:
    """The phone page: pick the customer, press the big button; activities.js asks the browser
    for the position (only with the user's permission) and fills the hidden fields."""
    require(request, "activities", "add")
    open_visit = Visit.objects.filter(
        owner=request.user,
        checked_out_at__isnull=True,
        checked_in_at__gte=timezone.now() - actions.OPEN_VISIT_BLOCKS,
    ).first()
    if open_visit is not None and request.method != "POST":
        return redirect(open_visit.get_absolute_url())
    form = CheckInForm(request.POST or None, initial=_check_in_initial(request))
    form.limit_to_user(request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        planned = None
        if d.get("activity"):
            planned = visible_activities(request.user).filter(pk=d["activity"]).first()
        try:
            visit = actions.check_in(
                request.user,
                d["customer"],
                lat=d.get("lat"),
                lng=d.get("lng"),
                accuracy=d.get("accuracy"),
                activity=planned,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Checked in at %(customer)s.") % {"customer": visit.customer}
            )
            return redirect(visit.get_absolute_url())
    customer = _initial_customer(request, form)
    recent = _visits(request).filter(owner=request.user).select_related("customer")[:5]
    return render(
        request,
        "activities/check_in.html",
        {
            "form": form,
            "customer": customer,
            "site": site_address(customer) if customer else None,
            "recent": recent,
        },
    )


def _check_in_initial(request: AuthedRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if (c := request.GET.get("customer", "")).isdigit():
        initial["customer"] = int(c)
    if (a := request.GET.get("activity", "")).isdigit():
        initial["activity"] = int(a)
    return initial


def _initial_customer(request: AuthedRequest, form: CheckInForm) -> Customer | None:
    raw = form["customer"].value()
    if raw in (None, "") or not str(raw).isdigit():
        return None
    return visible_to(request.user, Customer.objects.all()).filter(pk=int(raw)).first()


@login_required
@require_POST
def check_out(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request, "activities", "change")
    visit = get_for_user(request.user, _visits(request), pk=pk)
    form = CheckOutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form."))
        return redirect(visit.get_absolute_url())
    d = form.cleaned_data
    try:
        actions.check_out(
            request.user,
            visit,
            lat=d.get("lat"),
            lng=d.get("lng"),
            accuracy=d.get("accuracy"),
            outcome=d.get("outcome") or "",
            notes=d.get("notes") or "",
            expected_version=d.get("version"),
        )
    except ConflictError as conflict:
        conflict.ensure_recorded()
        messages.error(request, str(ConflictError.message))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Checked out. Thank you!"))
    return redirect(visit.get_absolute_url())


@login_required
@require_POST
def set_location(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request, "customers", "change")
    visit = get_for_user(request.user, _visits(request).select_related("customer"), pk=pk)
    get_for_user(request.user, Customer.objects.all(), pk=visit.customer_id)
    try:
        actions.set_location_from_visit(request.user, visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The customer's location is set from this check-in."))
    return redirect(visit.get_absolute_url())


# --- report -------------------------------------------------------------------------------------


@login_required
@require_safe
def visits_report(request: AuthedRequest) -> HttpResponseBase:
    require(request, "activities", "view")
    params = request.GET.copy()
    today = timezone.localdate()
    params.setdefault("date_from", (today - dt.timedelta(days=6)).isoformat())
    params.setdefault("date_to", today.isoformat())
    fs = VisitFilterSet(params, queryset=_visits(request))
    visits = fs.qs if fs.is_valid() else Visit.objects.none()
    rows = report.rows(visits)
    if params.get("format") == "csv":
        require(request, "activities", "export")
        return _csv(request, rows)
    query = params.copy()
    query.pop("format", None)
    return render(
        request,
        "activities/visits_report.html",
        {
            "filterset": fs,
            "rows": rows,
            "totals": report.totals(rows),
            "alert_m": ALERT_DISTANCE_M,
            "csv_query": query.urlencode(),
            "can_export": request.user.has_module_perm("activities", "export"),  # type: ignore[union-attr]
        },
    )


def _csv(request: AuthedRequest, rows: list[report.Row]) -> StreamingHttpResponse:
    audit.record(
        request.user,
        AuditAction.EXPORT,
        model=Visit,
        message="visits report CSV",
        ip=audit.client_ip(request),
    )
    header = [
        _("Date"),
        _("Rep"),
        _("Team"),
        _("Visits"),
        _("Time on site (h:mm)"),
        _("Still on site"),
        _("Far from the address (> %(m)s m)") % {"m": ALERT_DISTANCE_M},
        _("Unknown distance"),
        _("First check-in"),
        _("Last check-out"),
    ]
    lines = (
        [
            r.day.isoformat(),
            r.owner,
            r.team,
            r.visits,
            report.hours(r.minutes_on_site),
            r.open,
            r.anomalies,
            r.unknown_distance,
            r.first_in.strftime("%H:%M") if r.first_in else "",
            r.last_out.strftime("%H:%M") if r.last_out else "",
        ]
        for r in rows
    )
    response = StreamingHttpResponse(
        csvutil.stream_rows(header, lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="visits-report.csv"'
    return response


def visit_urls() -> list[URLPattern]:
    return [
        path("visits/check-in/", check_in, name="visit_create"),
        path("visits/report/", visits_report, name="visits_report"),
        path("visits/<int:pk>/check-out/", check_out, name="visit_checkout"),
        path("visits/<int:pk>/set-location/", set_location, name="visit_set_location"),
        *VisitViewSet().urls("visits"),
    ]
