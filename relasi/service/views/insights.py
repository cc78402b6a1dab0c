"""The service dashboard, the monthly complaint report, survey answers, NPS campaigns and the
agent's alerts."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST, require_safe

from relasi.accounts.models import Team
from relasi.core import audit, csvutil
from relasi.core.access import visible_to
from relasi.core.choices import AuditAction
from relasi.core.pagination import paginate
from relasi.core.typing import AuthedRequest
from relasi.core.views import require
from relasi.service import actions, kpis, reports
from relasi.service.businesstime import format_duration
from relasi.service.choices import SurveyKind
from relasi.service.forms import NpsCampaignForm
from relasi.service.models import Alert, NpsCampaign, Queue, Survey

PERIODS = [
    ("30d", gl("Last 30 days"), 30),
    ("90d", gl("Last 90 days"), 90),
    ("365d", gl("Last 12 months"), 365),
]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def dashboard_filters(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    period = request.GET.get("period", "90d")
    days = next((d for key, _l, d in PERIODS if key == period), 90)
    start = _date(request.GET.get("start")) or today - dt.timedelta(days=days - 1)
    end = _date(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=3 * 366))
    queue = Queue.objects.filter(pk=_int(request.GET.get("queue"))).first()
    team = Team.objects.filter(pk=_int(request.GET.get("team"))).first()
    bucket = "month" if request.GET.get("bucket") == "month" else "week"
    return {
        "start": start,
        "end": end,
        "queue": queue,
        "team": team,
        "bucket": bucket,
        "period": period,
    }


def _hours(minutes: float | None) -> float | None:
    return round(minutes / 60, 1) if minutes is not None else None


def chart_data(series: list[dict[str, Any]], bucket: str) -> dict[str, Any]:
    fmt = "%b %Y" if bucket == "month" else "%d %b"
    return {
        "labels": [row["bucket"].strftime(fmt) for row in series],
        "datasets": {
            "created": [row["created"] for row in series],
            "resolved": [row["resolved"] for row in series],
            "sla": [row["sla"]["percent"] for row in series],
            "fcr": [row["fcr"]["percent"] for row in series],
            "csat": [row["csat"]["percent"] for row in series],
            "ces": [row["ces"]["mean"] for row in series],
            "nps": [row["nps"]["score"] for row in series],
            "frt": [_hours(row["first_response_minutes"]) for row in series],
            "res": [_hours(row["resolution_minutes"]) for row in series],
        },
        "labelsText": {
            "created": str(_("Opened")),
            "resolved": str(_("Resolved")),
            "sla": str(_("SLA compliance %")),
            "fcr": str(_("FCR %")),
            "csat": str(_("CSAT %")),
            "ces": str(_("CES (mean, 1–7)")),
            "nps": str(_("NPS")),
            "frt": str(_("Avg. first response (business hours)")),
            "res": str(_("Avg. resolution (business hours)")),
        },
    }


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request, "service", "view")
    f = dashboard_filters(request)
    scope = {"queue": f["queue"], "team": f["team"], "user": request.user}
    figures = kpis.service_kpis(f["start"], f["end"], **scope)
    series = kpis.trends(f["start"], f["end"], f["bucket"], **scope)
    context = {
        "f": f,
        "k": figures,
        "frt_text": format_duration(figures["first_response_minutes"])
        if figures["first_response_minutes"] is not None
        else "—",
        "res_text": format_duration(figures["resolution_minutes"])
        if figures["resolution_minutes"] is not None
        else "—",
        "by_queue": kpis.open_by_queue(**scope),
        "chart": chart_data(series, f["bucket"]),
        "periods": PERIODS,
        "queues": Queue.objects.filter(active=True),
        "teams": Team.objects.all(),
    }
    return render(request, "service/dashboard.html", context)


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
@require_safe
def complaint_report(request: HttpRequest) -> HttpResponseBase:
    require(request, "service", "view")
    month = _month(request)
    report = reports.complaint_report(month, user=request.user)
    labels = {
        "by_category": str(_("Category")),
        "by_channel": str(_("Channel")),
        "by_product": str(_("Product")),
        "by_root_cause": str(_("Root cause")),
    }
    if request.GET.get("format") == "csv":
        require(request, "service", "export")
        audit.record(
            request.user,
            AuditAction.EXPORT,
            model=Survey,
            message=f"complaint report {month:%Y-%m}",
            ip=audit.client_ip(request),
            object_repr="complaint report",
        )
        header = [str(_("Month")), str(_("Breakdown")), str(_("Value")), str(_("Complaints")), "%"]
        response = StreamingHttpResponse(
            csvutil.stream_rows(header, reports.csv_rows(report, labels)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="complaints-{month:%Y-%m}.csv"'
        return response
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    chart = {
        "trend": {
            "labels": [r["month"].strftime("%b %Y") for r in report["trend"]],
            "values": [r["count"] for r in report["trend"]],
            "label": str(_("Complaints per month")),
        },
        "category": {
            "labels": [r["label"] for r in report["by_category"]],
            "values": [r["count"] for r in report["by_category"]],
            "label": str(_("By category")),
        },
    }
    return render(
        request,
        "service/complaint_report.html",
        {
            "report": report,
            "labels": labels,
            "chart": chart,
            "prev_month": prev_month,
            "next_month": next_month if next_month <= timezone.localdate() else None,
            "month_value": month.strftime("%Y-%m"),
            "resolution_text": format_duration(report["totals"]["resolution_avg"])
            if report["totals"]["resolution_avg"] is not None
            else "—",
        },
    )


def _score(s: Survey) -> str:
    if s.kind == "nps":
        return f"NPS {s.nps}" if s.nps is not None else "—"
    if s.csat is None:
        return "—"
    return f"CSAT {s.csat}/5" + (f" · CES {s.ces}/7" if s.ces is not None else "")


@login_required
@require_safe
def surveys(request: HttpRequest) -> HttpResponse:
    """Survey invitations and answers the user may see (newest first, keyset pages)."""
    require(request, "service", "view")
    qs = visible_to(request.user, Survey.objects.select_related("customer", "ticket"))
    kind = request.GET.get("kind", "")
    if kind in SurveyKind.values:
        qs = qs.filter(kind=kind)
    if request.GET.get("answered") == "1":
        qs = qs.filter(responded_at__isnull=False)
    page = paginate(
        qs, order="-sent_at", after=request.GET.get("after"), before=request.GET.get("before")
    )
    rows = [(s, _score(s)) for s in page.items]
    return render(
        request,
        "service/surveys.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "kinds": SurveyKind.choices,
            "answered": request.GET.get("answered") == "1",
        },
    )


@login_required
def nps_campaigns(request: HttpRequest) -> HttpResponse:
    require(request, "service", "view")
    form = NpsCampaignForm(user=request.user)
    if request.method == "POST":
        require(request, "service", "add")
        form = NpsCampaignForm(request.POST, user=request.user)
        if form.is_valid():
            campaign = actions.start_nps_campaign(
                request.user, form.cleaned_data["name"], form.cleaned_data["group"]
            )
            messages.success(request, _("Sending the NPS survey in the background."))
            return redirect("core:job", pk=campaign.job.pk)  # type: ignore[union-attr]
    campaigns = NpsCampaign.objects.select_related("group", "created_by")[:50]
    return render(
        request,
        "service/nps_campaigns.html",
        {"form": form, "campaigns": campaigns},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def alerts(request: AuthedRequest) -> HttpResponse:
    require(request, "service", "view")
    items = Alert.objects.filter(user=request.user).select_related("ticket")[:100]
    return render(request, "service/alerts.html", {"alerts": items})


@login_required
@require_POST
def alerts_read(request: HttpRequest) -> HttpResponse:
    require(request, "service", "view")
    actions.mark_read(request.user)
    return redirect("service:alerts")
