"""Analytics pages: dashboards, the report builder and saved reports, cost entries, and the
mart status page for administrators."""

import datetime as dt
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST

from relasi.analytics import dashboards, delivery, kpis, mart, reports
from relasi.analytics.models import CostEntry, MartLock, MartRefresh, Report
from relasi.core.access import require_perm
from relasi.core.numbers import LimitedDecimalsMixin
from relasi.core.viewsets import DELETE, Column, RecordViewSet


def _filters(request: HttpRequest) -> tuple[kpis.Filters, dict[str, Any]]:
    g = request.GET
    code = g.get("period", "12m")
    start, end = dashboards.period(code)
    try:
        if g.get("start") and g.get("end"):
            start = dt.date.fromisoformat(g["start"])
            end = dt.date.fromisoformat(g["end"]) + dt.timedelta(days=1)
            code = "custom"
    except ValueError:
        pass
    store = int(g["store"]) if g.get("store", "").isdigit() else None
    team = int(g["team"]) if g.get("team", "").isdigit() else None
    channel = g.get("channel", "") if g.get("channel", "") in dict(_channels()) else ""
    f = kpis.Filters(start=start, end=end, channel=channel, store=store, team=team,
                     segment=g.get("segment", "")[:60], scope=kpis.scope_for(request.user), viewer=request.user.pk)  # fmt: skip
    return f, {
        "period": code,
        "store": store,
        "team": team,
        "channel": channel,
        "segment": f.segment,
    }


def _channels() -> list[tuple[str, Any]]:
    from relasi.commerce.choices import SalesChannel

    return list(SalesChannel.choices)


COMPACT_FROM = 10_000_000  # rupiah: larger amounts are shortened on cards (Rp14,87 M)


def _display(kpi: kpis.KPI, value: Any, *, compact: bool = False) -> str:
    from relasi.core.formatting import compact_money, money, number

    if value is None:
        return "—"
    if kpi.unit == "money" and compact and abs(value) >= COMPACT_FROM:
        return compact_money(value)
    if kpi.unit == "money":
        return money(round(value))
    if kpi.unit == "percent":
        return number(value, 1) + " %"
    if kpi.unit == "minutes":
        return number(value, 0) + " " + _("min")
    return number(value, 2 if kpi.unit in ("score", "number") and value != int(value) else 0)


def _card(key: str, f: kpis.Filters) -> dict[str, Any]:
    """A KPI card: the value (large amounts shortened, the exact one kept for the formula
    panel) and the change against the previous period: in percentage points for rates (a
    relative change of a rate reads as nonsense: "62.8 % ▲ 206 %"), in percent otherwise."""
    kpi = kpis.KPIS[key]
    now = kpis.value(key, f)
    before = kpis.value(key, f.previous()) if not kpi.service else None
    delta: float | None = None
    if now is not None and before is not None:
        if kpi.unit == "percent":
            delta = round(now - before, 1)
        elif before:
            delta = round((now - before) * 100 / abs(before), 1)
    shown = _display(kpi, now, compact=True)
    exact = _display(kpi, now)
    return {"kpi": kpi, "value": shown, "exact": exact if exact != shown else "", "delta": delta,
            "delta_unit": _("pts") if kpi.unit == "percent" else "%",
            "good": delta is not None and (delta >= 0) == (kpi.better == "up")}  # fmt: skip


@login_required
def dashboard(request: HttpRequest, board: str = "executive") -> HttpResponse:
    require_perm(request.user, "analytics", "view")
    if board not in dashboards.BOARDS:
        raise Http404
    spec = dashboards.BOARDS[board]
    f, chosen = _filters(request)
    cards = [_card(key, f) for key in spec["cards"]]
    charts = [dashboards.chart(name, f) for name in spec["charts"]]
    from relasi.accounts.models import Team
    from relasi.commerce.models import Store

    context = {
        "board": board, "boards": dashboards.BOARDS, "cards": cards, "charts": charts,
        "filters": f, "chosen": chosen,
        "periods": dashboards.PERIODS, "channels": _channels(),
        "stores": Store.objects.filter(active=True), "teams": Team.objects.all(),
        "mart_missing": mart.generation() is None, "last_day": f.end - dt.timedelta(days=1),
    }  # fmt: skip
    return render(request, "analytics/dashboard.html", context)


# --- report builder ---------------------------------------------------------------------------
def _spec_from_query(request: HttpRequest) -> reports.Spec | None:
    g = request.GET
    if not g.get("fact"):
        return None
    filters = {k[2:]: v for k, v in g.items() if k.startswith("f_")}
    return reports.Spec.parse({"fact": g.get("fact"), "dims": g.getlist("dims"), "measures": g.getlist("measures"),
                               "start": g.get("start"), "end": g.get("end"), "filters": filters,
                               "chart": g.get("chart", "table")})  # fmt: skip


def _query_for(spec: reports.Spec) -> str:
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    q["fact"] = spec.fact
    q.setlist("dims", spec.dims)
    q.setlist("measures", spec.measures)
    if spec.start:
        q["start"] = spec.start.isoformat()
    if spec.end:
        q["end"] = spec.end.isoformat()
    q["chart"] = spec.chart
    for k, v in spec.filters.items():
        q["f_" + k] = v
    return q.urlencode()


@login_required
def builder(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "analytics", "view")
    result = None
    error = ""
    drill: dict[str, str] = {}
    try:
        spec = _spec_from_query(request)
    except ValidationError as exc:
        spec, error = None, " ".join(exc.messages)
    if spec is not None:
        result = reports.run(spec, kpis.scope_for(request.user))
        if spec.dims and result.rows:
            for row in result.rows[:500]:
                nxt = spec.drill(spec.dims[0], str(row[0]))
                if nxt is not None:
                    drill[str(row[0])] = "?" + _query_for(nxt)
    fmt = request.GET.get("export")
    if result is not None and fmt in ("csv", "xlsx"):
        require_perm(request.user, "analytics", "export")
        stamp = timezone.localdate().isoformat()
        if fmt == "csv":
            return HttpResponse(delivery.csv_bytes(result), content_type="text/csv",
                                headers={"Content-Disposition": f'attachment; filename="report-{stamp}.csv"'})  # fmt: skip
        return HttpResponse(delivery.xlsx_bytes(result),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="report-{stamp}.xlsx"'})  # fmt: skip
    facts = {k: {"label": str(v.label), "dims": {d: str(x.label) for d, x in v.dims.items()},
                 "measures": {m: str(x[0]) for m, x in v.measures.items()}} for k, v in reports.FACTS.items()}  # fmt: skip
    context = {
        "spec": spec, "result": result, "error": error, "facts": facts, "drill": drill,
        "chart": reports.chart_data(result) if result else {},
        "labels": reports.display_labels(spec) if spec else {},
        "query": _query_for(spec) if spec else "", "saved": delivery.visible_reports(request.user)[:50],
    }  # fmt: skip
    return render(request, "analytics/builder.html", context)


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["name", "shared_with", "frequency", "send_format", "recipients"]
        widgets = {
            "shared_with": forms.CheckboxSelectMultiple,
            "recipients": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_recipients(self) -> str:
        from django.core.validators import validate_email

        value = self.cleaned_data["recipients"]
        for r in value.replace(",", "\n").splitlines():
            if r.strip():
                validate_email(r.strip())
        return value


@login_required
def report_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_perm(request.user, "analytics", "add" if pk is None else "change")
    report = None
    if pk is not None:
        report = Report.objects.filter(pk=pk, owner=request.user.pk).first()
        if report is None:
            raise Http404
    spec_query = request.GET.get("q", "") or request.POST.get("q", "")
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        from django.http import QueryDict

        obj = form.save(commit=False)
        if report is None:
            fake = type("R", (), {"GET": QueryDict(spec_query)})()
            try:
                spec = _spec_from_query(fake)  # type: ignore[arg-type]
            except ValidationError as exc:
                raise PermissionDenied(" ".join(exc.messages)) from exc
            if spec is None:
                raise Http404
            obj.spec = spec.as_dict()
            obj.owner = request.user
        obj.next_send_at = delivery.next_after(obj, timezone.now()) if obj.frequency else None
        obj.save()
        form.save_m2m()
        messages.success(request, _("Report saved."))
        return redirect(obj.get_absolute_url())
    return render(
        request, "analytics/report_form.html", {"form": form, "report": report, "q": spec_query}
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "analytics", "view")
    report = delivery.visible_reports(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    spec = reports.Spec.parse(report.spec)
    return redirect(f"{_builder_url()}?{_query_for(spec)}&report={report.pk}")


def _builder_url() -> str:
    from django.urls import reverse

    return reverse("analytics:builder")


@login_required
@require_POST
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "analytics", "delete")
    Report.objects.filter(pk=pk, owner=request.user.pk).delete()
    messages.success(request, _("Deleted."))
    return redirect("analytics:builder")


# --- mart status (administrators) -------------------------------------------------------------
def _admin(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.has_module_perm("admin", "change"):  # type: ignore[union-attr]
        raise PermissionDenied


@login_required
def mart_status(request: HttpRequest) -> HttpResponse:
    _admin(request)
    meta = mart.meta()
    refreshed = meta.get("refreshed_at")
    context = {
        "generation": mart.generation(), "meta": meta, "counts": mart.table_counts(),
        "refreshed_at": dt.datetime.fromisoformat(refreshed) if refreshed else None,
        "tables": mart.TABLES, "refreshes": MartRefresh.objects.select_related("requested_by")[:30],
        "queued": MartLock.objects.filter(pk=1, queued_until__gt=timezone.now()).exists(),
    }  # fmt: skip
    return render(request, "analytics/mart_status.html", context)


@login_required
@require_POST
def mart_refresh(request: HttpRequest) -> HttpResponse:
    _admin(request)
    from relasi.analytics.tasks import refresh_mart_task

    refresh_mart_task.enqueue(
        full=request.POST.get("full") == "1", trigger="button", user_id=request.user.pk
    )
    messages.success(request, _("Refresh started; this page shows it when it is done."))
    return redirect("analytics:mart_status")


@login_required
def mart_export(request: HttpRequest) -> FileResponse:
    """All mart tables as Parquet files in one zip (for Power BI, Metabase, Superset …)."""
    _admin(request)
    tmp = Path(tempfile.mkdtemp(prefix="relasi-parquet-"))
    try:
        files = mart.export_parquet(tmp / "parquet")
    except mart.MartMissing as exc:
        raise Http404 from exc
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for p in files:
            zf.write(p, p.name)
            p.unlink()
    archive.seek(0)
    from relasi.core import audit

    audit.security_event("analytics.mart_export", request)
    return FileResponse(
        archive, as_attachment=True, filename=f"relasi-mart-{mart.generation()}.zip"
    )


# --- cost entries -----------------------------------------------------------------------------
class CostEntryForm(LimitedDecimalsMixin, forms.ModelForm):
    class Meta:
        model = CostEntry
        fields = ["kind", "period_start", "period_end", "amount", "channel", "note"]
        widgets = {"period_start": forms.DateInput(attrs={"type": "date"}),
                   "period_end": forms.DateInput(attrs={"type": "date"})}  # fmt: skip


class CostEntryViewSet(RecordViewSet):
    model = CostEntry
    module = "analytics"
    url_name = "cost"
    form_class = CostEntryForm
    scoped = False
    default_order = "-period_start"
    columns = [
        Column("period_start", gl("From"), order="period_start", link=True),
        Column("period_end", gl("Until"), order="period_end"),
        Column("kind", gl("Kind"), accessor="get_kind_display", order="kind"),
        Column("amount", gl("Amount"), order="amount"),
        Column("channel", gl("Channel"), accessor="get_channel_display"),
        Column("note", gl("Note")),
    ]
    detail_fields = ["kind", "period_start", "period_end", "amount", "channel", "note"]
    bulk_actions = [DELETE]
