"""Forecast, quotas and sales performance pages (charts fed by JSON data blocks)."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relasi.accounts.models import Team, User
from relasi.core import audit
from relasi.core.access import visible_to
from relasi.core.choices import AuditAction, Visibility
from relasi.core.views import require
from relasi.sales import forecast, performance, periods
from relasi.sales.choices import PeriodKind
from relasi.sales.models import Deal, Pipeline, Quota


def _period(request: HttpRequest) -> tuple[str, dt.date]:
    kind = request.GET.get("period_kind", PeriodKind.QUARTER)
    if kind not in PeriodKind.values:
        kind = PeriodKind.QUARTER
    return kind, periods.parse(request.GET.get("period"), kind, timezone.localdate())


def _period_nav(kind: str, start: dt.date) -> dict[str, Any]:
    return {
        "kind": kind,
        "label": periods.label(start, kind),
        "key": periods.key(start, kind),
        "prev": periods.key(periods.previous(start, kind), kind),
        "next": periods.key(periods.period_end(start, kind), kind),
    }


@login_required
@require_GET
def forecast_page(request: HttpRequest) -> HttpResponse:
    require(request, "sales", "view")
    kind, start = _period(request)
    team_id = int(request.GET["team"]) if request.GET.get("team", "").isdigit() else None
    company = forecast.build(request.user, kind, start, team_id=team_id)
    prev = periods.previous(start, kind)
    acc = forecast.accuracy_for(request.user, forecast.build(request.user, kind, prev), kind, prev)
    deals = forecast.deals_in_period(request.user, kind, start, team_id=team_id)[:100]
    bars = company.children or [company]  # a rep's own forecast is one bar
    chart = {
        "labels": [r.label for r in bars],
        "series": {
            "closed_won": [float(r.closed_won) for r in bars],
            "commit": [float(r.commit) for r in bars],
            "best_case": [float(r.best_case) for r in bars],
            "weighted": [float(r.weighted) for r in bars],
            "quota": [float(r.quota) if r.quota else None for r in bars],
        },
        "names": {
            "closed_won": _("Closed won"),
            "commit": _("Commit"),
            "best_case": _("Best case"),
            "weighted": _("Weighted"),
            "quota": _("Quota"),
        },
    }
    return render(
        request,
        "sales/forecast.html",
        {
            "company": company,
            "period": _period_nav(kind, start),
            "accuracy": acc,
            "deals": deals,
            "chart": chart,
            "teams": Team.objects.all(),
            "team_id": team_id,
            "can_override": _can_set_quotas(request.user),
        },
    )


def _can_set_quotas(user: Any) -> bool:
    return user.has_module_perm("sales", "change") and user.visibility in (
        Visibility.ALL,
        Visibility.SUBORDINATES,
    )


@login_required
def quotas_page(request: HttpRequest) -> HttpResponse:
    """Quotas per rep and team for one period (managers: their people; administrators: all)."""
    require(request, "sales", "view")
    kind, start = _period(request)
    user: Any = request.user
    if not _can_set_quotas(user):
        raise PermissionDenied
    rep_ids = forecast._owner_ids(user)
    reps = list(
        User.objects.filter(pk__in=rep_ids, is_active=True)
        .select_related("team")
        .order_by("team__name", "first_name")
    )
    teams = list(
        Team.objects.filter(pk__in={r.team_id for r in reps if r.team_id})
        if user.visibility != Visibility.ALL
        else Team.objects.all()
    )
    existing = {
        (q.user_id, q.team_id): q
        for q in Quota.objects.filter(period_kind=kind, period_start=start)
    }
    if request.method == "POST":
        with transaction.atomic():
            changed = 0
            for prefix, objs, attr in (("u", reps, "user"), ("t", teams, "team")):
                for obj in objs:
                    raw = (
                        request.POST.get(f"{prefix}{obj.pk}", "")
                        .replace(".", "")
                        .replace(",", "")
                        .strip()
                    )
                    key = (obj.pk, None) if attr == "user" else (None, obj.pk)
                    current = existing.get(key)
                    if raw == "":
                        if current is not None:
                            current.delete()
                            changed += 1
                        continue
                    try:
                        amount = Decimal(raw)
                    except InvalidOperation:
                        continue
                    if current is None:
                        Quota.objects.create(
                            **{attr: obj},
                            period_kind=kind,
                            period_start=start,
                            amount=amount,
                            set_by=user,
                        )
                        changed += 1
                    elif current.amount != amount:
                        current.amount, current.set_by = amount, user
                        current.save()
                        changed += 1
            audit.record(
                user,
                AuditAction.UPDATE,
                model=Quota,
                message=f"quotas {periods.key(start, kind)}: {changed} changed",
            )
        messages.success(request, _("Quotas saved."))
        return redirect(f"{request.path}?period_kind={kind}&period={periods.key(start, kind)}")
    return render(
        request,
        "sales/quotas.html",
        {
            "period": _period_nav(kind, start),
            "reps": [(r, existing.get((r.pk, None))) for r in reps],
            "teams": [(t, existing.get((None, t.pk))) for t in teams],
        },
    )


@login_required
@require_GET
def performance_page(request: HttpRequest) -> HttpResponse:
    """Per rep (?rep=id, default: me) or per team (?team=id)."""
    require(request, "sales", "view")
    user: Any = request.user
    kind, start = _period(request)
    end = periods.period_end(start, kind)
    visible_owner_ids = forecast._owner_ids(user)
    team = None
    rep = None
    if request.GET.get("team", "").isdigit():
        team = Team.objects.filter(pk=int(request.GET["team"])).first()
        if team is None:
            raise Http404
        members = list(User.objects.filter(team=team, pk__in=visible_owner_ids))
        if not members:
            raise Http404
        owner_ids = [u.pk for u in members]
    else:
        rep_id = int(request.GET["rep"]) if request.GET.get("rep", "").isdigit() else user.pk
        if rep_id not in visible_owner_ids:
            raise Http404
        rep = User.objects.filter(pk=rep_id).first()
        if rep is None:
            raise Http404
        members = [rep]
        owner_ids = [rep.pk]
    deals = visible_to(user, Deal.objects.filter(owner_id__in=owner_ids))
    summary = performance.summary(deals, start, end)
    if team is not None and not forecast.sees_whole_team(user, team.pk):
        # Part of a team: the quotas of the people shown, not the whole team's target.
        quotas = [performance.quota_for(kind, start, user_id=m.pk) for m in members]
        quota = sum((q for q in quotas if q), Decimal(0)) or None
    else:
        quota = performance.quota_for(
            kind, start, user_id=rep.pk if rep else None, team_id=team.pk if team else None
        )
    attainment = float(summary["won_value"] / quota * 100) if quota else None
    pipeline_id = request.GET.get("pipeline", "")
    pipelines = list(Pipeline.objects.filter(active=True))
    pipeline = next((p for p in pipelines if str(p.pk) == pipeline_id), None) or next(
        (p for p in pipelines if p.is_default), pipelines[0] if pipelines else None
    )
    funnel_start = periods.add_months(start, -9)  # deals opened over the last year feed the funnel
    funnel = performance.funnel(deals, pipeline, funnel_start, end) if pipeline else []
    monthly = performance.monthly_won(deals)
    tz = timezone.get_current_timezone()
    acts = performance.activity_counts(
        owner_ids,
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )
    reps_table = []
    if team is not None:
        per = performance.by_rep(deals, start, end)
        for m in members:
            row = per.get(m.pk, {"won_value": Decimal(0), "won_count": 0, "lost_count": 0})
            q = performance.quota_for(kind, start, user_id=m.pk)
            reps_table.append(
                {
                    "user": m,
                    **row,
                    "quota": q,
                    "attainment": float(row["won_value"] / q * 100) if q else None,
                    "activities": acts.get(m.pk, 0) if acts is not None else None,
                }
            )
    chart = {
        "monthly": {
            "labels": [m["month"] for m in monthly],
            "won": [m["won"] for m in monthly],
            "name": _("Won value"),
        },
        "funnel": {
            "labels": [f["stage"] for f in funnel],
            "reached": [f["reached"] for f in funnel],
            "name": _("Deals that reached the stage"),
        },
    }
    visible_reps = User.objects.filter(pk__in=visible_owner_ids, is_active=True).order_by(
        "first_name"
    )
    return render(
        request,
        "sales/performance.html",
        {
            "rep": rep,
            "team": team,
            "period": _period_nav(kind, start),
            "summary": summary,
            "quota": quota,
            "attainment": attainment,
            "attainment_bar": min(100, attainment or 0),
            "funnel": funnel,
            "pipeline": pipeline,
            "pipelines": pipelines,
            "activities": sum(acts.get(i, 0) for i in owner_ids) if acts is not None else None,
            "reps_table": reps_table,
            "chart": chart,
            "visible_reps": visible_reps,
            "visible_teams": Team.objects.filter(members__in=visible_reps).distinct(),
        },
    )
