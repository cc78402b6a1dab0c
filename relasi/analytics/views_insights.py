"""Customer-analytics pages: RFM segments, CLV, churn risk (export, assign as tasks), cohorts,
Pareto profitability (with cost rates), basket rules and event rules. Thin views: the numbers
come from insights_queries; writes from insights_actions."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST

from relasi.analytics import insights_actions, insights_hooks, insights_queries, mart, rfm
from relasi.analytics.insights_scope import Scope, for_user
from relasi.analytics.models_insights import EventAlert, EventRule, ModelKind, ModelRun
from relasi.core import csvutil, exporting
from relasi.core.access import require_perm

PERIODS = [("all", gl("All history")), ("12m", gl("Last 12 months")),
           ("24m", gl("Last 24 months")), ("custom", gl("Custom"))]  # fmt: skip
TABS = [("insights_rfm", gl("RFM segments")), ("insights_clv", gl("Lifetime value")),
        ("insights_churn", gl("Churn risk")), ("insights_cohorts", gl("Cohorts")),
        ("insights_pareto", gl("Profitability")), ("insights_basket", gl("Basket rules")),
        ("insights_events", gl("Events"))]  # fmt: skip


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def scope_from(request: HttpRequest) -> tuple[Scope, dict[str, Any]]:
    """The user's scope with the filters from the query string (also used by the API)."""
    g = request.GET
    period = g.get("period", "all")
    end = _date(g.get("end"))
    start = _date(g.get("start"))
    today = timezone.localdate()
    if period == "12m":
        start, end = today - dt.timedelta(days=365), None
    elif period == "24m":
        start, end = today - dt.timedelta(days=730), None
    elif period != "custom":
        start, end = None, None
    store = int(g["store"]) if g.get("store", "").isdigit() else None
    team = int(g["team"]) if g.get("team", "").isdigit() else None
    channel = g.get("channel", "")[:20] or None
    scope = for_user(request.user, as_of=end, start=start, store=store, channel=channel, team=team)
    chosen = {"period": period, "start": start, "end": end, "store": store, "team": team,
              "channel": channel or ""}  # fmt: skip
    return scope, chosen


def _page(request: HttpRequest, template: str, tab: str, **ctx: Any) -> HttpResponse:
    require_perm(request.user, "analytics", "view")
    scope, chosen = ctx.pop("scope_chosen", None) or scope_from(request)
    base = {
        "tabs": TABS, "tab": tab, "chosen": chosen, "periods": PERIODS, "scope": scope,
        "choices": insights_queries.filter_choices(), "mart_missing": mart.generation() is None,
        "meta": insights_queries.meta(), "query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, template, {**base, **ctx})


def _scope(request: HttpRequest) -> tuple[Scope, dict[str, Any]]:
    require_perm(request.user, "analytics", "view")
    return scope_from(request)


def _safe(fn: Any, default: Any) -> Any:
    try:
        return fn()
    except mart.MartMissing:
        return default


# --- pages ----------------------------------------------------------------------------------------
def rfm_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    data = _safe(lambda: insights_queries.segments(sc[0]), {})
    seg = request.GET.get("segment", "")
    members = (
        _safe(lambda: insights_queries.segment_members(sc[0], seg), []) if seg in rfm.LABELS else []
    )
    chart = {
        "segments": [{"label": str(s["label"]), "colour": s["colour"], "customers": s["customers"],
                      "value": s["value"]} for s in data.get("summary", [])],
        "months": [m.isoformat() for m in data.get("months", [])],
        "series": [{"label": str(rfm.LABELS[k]), "colour": rfm.COLOURS[k], **v}
                   for k, v in data.get("series", {}).items()],
    }  # fmt: skip
    grid = [
        [(f, r, rfm.LABELS[rfm.segment_of(r, f)]) for r in range(1, 6)] for f in range(5, 0, -1)
    ]
    return _page(request, "analytics/insights/rfm.html", "insights_rfm", scope_chosen=sc,
                 contradictions=_safe(lambda: insights_queries.lifecycle_contradictions(sc[0]), 0),
                 data=data, chart=chart, grid=grid, segment=seg, members=members,
                 segment_label=rfm.LABELS.get(seg, ""))  # fmt: skip


class BacktestForm(forms.Form):
    """The analyst's calibration end and hold-out length (page and API share the limits)."""

    calibration_end = forms.DateField(label=gl("Calibration end"))
    holdout_weeks = forms.IntegerField(label=gl("Hold-out (weeks)"), min_value=1, max_value=156,
                                       initial=26)  # fmt: skip

    def __init__(self, *args: Any, last_day: dt.date, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.last_day = last_day

    def clean_calibration_end(self) -> dt.date:
        day: dt.date = self.cleaned_data["calibration_end"]
        if day >= self.last_day:
            raise forms.ValidationError(
                _("The calibration must end before %(d)s, the last day of the data, so that a "
                  "hold-out period follows it.") % {"d": self.last_day.isoformat()}
            )  # fmt: skip
        return day


def backtest_for(scope: Scope, data: Any) -> tuple["BacktestForm", dict[str, Any] | None]:
    """Validate the analyst's choice and run the as-of fit (None when not asked or invalid)."""
    if not data:
        initial = {"calibration_end": scope.end - dt.timedelta(weeks=26), "holdout_weeks": 26}
        return BacktestForm(initial=initial, last_day=scope.end), None
    form = BacktestForm(data, last_day=scope.end)
    if not form.is_valid():
        return form, None
    end, weeks = form.cleaned_data["calibration_end"], form.cleaned_data["holdout_weeks"]
    return form, _safe(lambda: insights_queries.clv_backtest(scope, end, weeks), None)


def clv_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    raw = request.GET.get("months", "12")
    months = int(raw) if raw.isdigit() and int(raw) in insights_queries.HORIZONS else 12
    dist = _safe(lambda: insights_queries.clv_distribution(sc[0], months=months), {})
    run = ModelRun.objects.filter(kind=ModelKind.CLV, ok=True).first()
    asked = request.GET if "calibration_end" in request.GET else None
    form, backtest = backtest_for(sc[0], asked)
    return _page(request, "analytics/insights/clv.html", "insights_clv", scope_chosen=sc,
                 dist=dist, run=run, chart=dist.get("hist", {}), months=months,
                 horizons=insights_queries.HORIZONS, backtest_form=form, backtest=backtest,
                 backtest_rows=_backtest_rows(backtest),
                 tracking=_tracking(backtest))  # fmt: skip


MODEL_NAMES = {"mbgnbd": "MBG/NBD", "bgnbd": "BG/NBD"}


def _backtest_rows(bt: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not bt or not bt.get("ok"):
        return []
    return [{"key": k, "name": MODEL_NAMES.get(k, k), **m} for k, m in bt["models"].items()]


def _tracking(bt: dict[str, Any] | None) -> dict[str, Any]:
    """Cumulative repeat purchases in the hold-out, actual and per model (the chart)."""
    if not bt or not bt.get("ok"):
        return {}
    return {"weeks": bt["cumulative_weeks"], "actual": bt["actual_cumulative"],
            "actual_label": str(_("Actual")),
            "models": [{"label": MODEL_NAMES.get(k, k), "data": [round(v, 1) for v in m["predicted_cumulative"]]}
                       for k, m in bt["models"].items()]}  # fmt: skip


def churn_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    min_risk = _float(request.GET.get("min_risk"), 0.4)
    limit = 500 if request.GET.get("all") else 50
    rows = _safe(lambda: insights_queries.churn_rows(sc[0], min_risk=min_risk, limit=limit), [])
    for r in rows:
        r["reason_texts"] = insights_hooks.reason_texts(r)
        r["band"], r["tone"] = insights_hooks.risk_band(r["risk"])
    bands = dict(_safe(lambda: insights_queries.churn_bands(sc[0]), []))
    run = ModelRun.objects.filter(kind=ModelKind.CHURN, ok=True).first()
    coef = []
    if run and run.params.get("coef"):
        coef = sorted(zip(run.params["features"], run.params["coef"], strict=True),
                      key=lambda p: -abs(p[1]))  # fmt: skip
    return _page(request, "analytics/insights/churn.html", "insights_churn", scope_chosen=sc,
                 rows=rows, run=run, coef=coef, min_risk=min_risk, limit=limit,
                 coef_chart={"labels": [str(insights_hooks.FEATURE_LABELS.get(k, k)) for k, _v in coef],
                             "values": [round(v, 3) for _k, v in coef]},
                 bands={"high": bands.get("high", 0), "medium": bands.get("medium", 0),
                        "low": bands.get("low", 0)},
                 can_assign=request.user.has_module_perm("activities", "add"),
                 can_export=request.user.has_module_perm("customers", "export"))  # fmt: skip


def _float(raw: str | None, default: float) -> float:
    try:
        return max(0.0, min(1.0, float(raw))) if raw else default
    except ValueError:
        return default


def churn_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    scope, _c = _scope(request)
    require_perm(request.user, "customers", "export")
    if blocked := exporting.throttled(request.user):
        return blocked
    rows = _safe(lambda: insights_queries.churn_rows(
        scope, min_risk=_float(request.GET.get("min_risk"), 0.4), limit=None), [])  # fmt: skip
    header = [_("Customer ID"), _("Customer"), _("Owner"), _("Churn risk (%)"), _("Reasons"),
              _("Days since last purchase"), _("Orders"), _("Revenue")]  # fmt: skip
    lines = ([r["customer_key"], r["name"], r["owner"] or "", round(r["risk"] * 100, 1),
              "; ".join(insights_hooks.reason_texts(r)), int(r["recency_days"]),
              int(r["frequency"]), round(r["monetary"] or 0)] for r in rows)  # fmt: skip
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return exporting.xlsx_response(f"churn-risk-{stamp}.xlsx", header, lines)
    response = StreamingHttpResponse(csvutil.stream_rows(header, lines),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="churn-risk-{stamp}.csv"'
    return response


@require_POST
def churn_assign(request: HttpRequest) -> HttpResponse:
    scope, _c = _scope(request)
    require_perm(request.user, "activities", "add")
    ids = [int(v) for v in request.POST.getlist("customer") if v.isdigit()][:500]
    days = (
        int(request.POST.get("due_days", "3") or 3)
        if request.POST.get("due_days", "3").isdigit()
        else 3
    )
    made = insights_actions.assign_churn_tasks(request.user, scope, ids, due_in_days=days)
    messages.success(
        request, _("%(n)d follow-up tasks created for the customers' owners.") % {"n": made}
    )
    return redirect(f"{_url('insights_churn')}?{request.POST.get('query', '')}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(f"analytics:{name}")


def cohorts_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    data = _safe(
        lambda: insights_queries.cohort_table(sc[0]), {"ages": [], "lines": [], "curve": []}
    )
    chart = {"labels": data["ages"], "curve": [round(c * 100, 1) for c in data["curve"]]}
    return _page(request, "analytics/insights/cohorts.html", "insights_cohorts", scope_chosen=sc,
                 data=data, chart=chart)  # fmt: skip


class CostRateForm(forms.Form):
    def __init__(self, *args: Any, rates: dict[str, Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        from relasi.analytics.models_insights import CostActivity

        for value, label in CostActivity.choices:
            self.fields[value] = forms.DecimalField(
                label=label, min_value=0, max_digits=14, decimal_places=2,
                initial=rates.get(value, 0), required=False,
            )  # fmt: skip


def pareto_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    rates = insights_actions.cost_rates()
    is_admin = request.user.has_module_perm("admin", "change")
    form = CostRateForm(request.POST or None, rates=rates)
    if request.method == "POST":
        if not is_admin:
            require_perm(request.user, "admin", "change")
        if form.is_valid():
            insights_actions.set_cost_rates(request.user, form.cleaned_data)
            messages.success(request, _("Cost rates saved."))
            return redirect(f"{_url('insights_pareto')}?{request.GET.urlencode()}")
    data = _safe(
        lambda: insights_queries.pareto_data(sc[0], {k: float(v) for k, v in rates.items()}), {}
    )
    chart = {"pct": [p["pct"] for p in data.get("curve", [])],
             "revenue": [round(p["revenue"] * 100, 2) for p in data.get("curve", [])],
             "profit": [round(p["profit"] * 100, 2) for p in data.get("curve", [])]}  # fmt: skip
    return _page(request, "analytics/insights/pareto.html", "insights_pareto", scope_chosen=sc,
                 data=data, chart=chart, form=form, is_admin=is_admin, rates=rates,
                 blocks=[{"title": _("Most profitable customers"), "id": "pareto-top",
                          "rows": data.get("top", [])[:25]},
                         {"title": _("Customers who cost more than they earn"), "id": "pareto-bottom",
                          "rows": data.get("bottom", [])[:25]}])  # fmt: skip


def basket_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    data = _safe(lambda: insights_queries.rules(sc[0]), {"rules": [], "stats": {}})
    top = data["rules"][:15]
    chart = {"labels": [" + ".join(r["ante_names"]) + " → " + r["consequent_name"] for r in top],
             "lift": [round(r["lift"], 2) for r in top],
             "confidence": [round(r["confidence"] * 100, 1) for r in top]}  # fmt: skip
    run = ModelRun.objects.filter(kind=ModelKind.BASKET).first()
    if "baskets" not in data["stats"] and run is not None:
        data = {**data, "stats": {**run.quality, **data["stats"]}}
    return _page(request, "analytics/insights/basket.html", "insights_basket", scope_chosen=sc,
                 data=data, chart=chart, run=run)  # fmt: skip


class EventRuleForm(forms.ModelForm):
    class Meta:
        model = EventRule
        fields = ["name", "kind", "amount", "days", "vip_tag", "segment", "active", "notify_owner"]
        widgets = {
            "segment": forms.Select(
                choices=[("", "—"), *[(k, lbl) for k, lbl, _c, _d in rfm.SEGMENTS]]
            )
        }


def events_page(request: HttpRequest) -> HttpResponse:
    sc = _scope(request)
    is_admin = request.user.has_module_perm("admin", "change")
    form = EventRuleForm(request.POST or None)
    if request.method == "POST":
        require_perm(request.user, "admin", "change")
        if form.is_valid():
            insights_actions.create_event_rule(request.user, form.cleaned_data)
            messages.success(request, _("Event rule saved."))
            return redirect(_url("insights_events"))
    alerts = EventAlert.objects.select_related("rule", "customer")
    if sc[0].restricted:
        from relasi.core.access import visible_to
        from relasi.customers.models import Customer

        alerts = alerts.filter(customer__in=visible_to(request.user, Customer.objects.all()))
    return _page(request, "analytics/insights/events.html", "insights_events", scope_chosen=sc,
                 rules=EventRule.objects.all(), alerts=alerts[:100], form=form,
                 is_admin=is_admin)  # fmt: skip


@require_POST
def event_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "admin", "change")
    insights_actions.delete_event_rule(request.user, get_object_or_404(EventRule, pk=pk))
    return redirect(_url("insights_events"))


@require_POST
def check_events_now(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "admin", "change")
    from relasi.analytics import monitoring

    try:
        n = monitoring.evaluate()
    except mart.MartMissing:
        n = 0
    messages.info(request, _("%(n)d new alerts.") % {"n": n})
    return redirect(_url("insights_events"))
