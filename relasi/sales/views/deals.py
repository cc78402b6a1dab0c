"""Deals: list/detail/edit, product lines, forecast categories and the Kanban board."""

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_GET, require_POST

from relasi.accounts.models import Team, User
from relasi.core import records
from relasi.core.access import get_for_user, visible_to
from relasi.core.htmx import is_htmx
from relasi.core.views import require
from relasi.core.viewsets import ADD_TAG, ASSIGN_OWNER, DELETE, Column, RecordViewSet
from relasi.sales import activities_bridge
from relasi.sales.actions import deals as actions
from relasi.sales.actions import quotes as quote_actions
from relasi.sales.choices import DealStatus, ForecastCategory
from relasi.sales.filtersets import DealFilterSet
from relasi.sales.forms import DealForm, DealLineFormSet, ForecastCategoryForm, formset_lines
from relasi.sales.models import Deal, LostReason, Pipeline, Stage
from relasi.sales.views.common import CONFLICT, error_messages, fetch, version_of

CARDS_PER_COLUMN = 50
CLOSED_DAYS = 30


class DealViewSet(RecordViewSet):
    model = Deal
    module = "sales"
    url_name = "deal"
    form_class = DealForm
    filterset_class = DealFilterSet
    select_related = ("owner", "customer", "stage", "pipeline")
    detail_template = "sales/deal_detail.html"
    default_order = "-pk"
    columns = [
        Column("name", gl("Title"), link=True, order="name"),
        Column("customer", gl("Customer")),
        Column("pipeline", gl("Pipeline")),
        Column("stage", gl("Stage")),
        Column("value", gl("Value"), order="value"),
        Column("expected_close_date", gl("Expected close"), order="expected_close_date"),
        Column(
            "forecast",
            gl("Forecast category"),
            accessor=lambda d: (
                d.get_forecast_override_display() or d.get_forecast_category_display()
            ),
        ),
        Column("owner", gl("Owner")),
        Column("status", gl("Status"), accessor="get_status_display"),
    ]
    bulk_actions = [ASSIGN_OWNER, ADD_TAG, DELETE]

    def create(self, actor: Any, form: Any) -> Deal:
        data, tags = self.form_data(form)
        return actions.create_deal(actor, data, tags=tags)

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Deal:
        data, tags = self.form_data(form)
        if not data.get("stage"):
            data.pop("stage", None)
        if "value_source" not in form.changed_data:  # only a choice made now counts
            data.pop("value_source", None)
        return actions.update_deal(actor, obj, data, expected_version=version, tags=tags)

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_deal(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        user = request.user
        changes = obj.stage_changes.select_related("from_stage", "to_stage", "by").order_by(
            "at", "id"
        )
        lines = list(obj.lines.select_related("product"))
        return {
            "deal": obj,
            "lines": lines,
            "lines_total": sum((ln.line_total for ln in lines), Decimal(0)) if lines else None,
            "stage_changes": changes,
            "stages": obj.pipeline.stages.all(),
            "lost_reasons": LostReason.objects.filter(active=True),
            "quotes": visible_to(user, obj.quotes.all()).order_by("-number", "-revision"),
            "forecast_choices": ForecastCategory.choices,
            "can_override": actions.can_override_forecast(user, obj),
            "can_quote": user.has_module_perm("sales", "add"),
        }


@login_required
def deal_lines(request: HttpRequest, pk: int) -> HttpResponse:
    deal = fetch(request, Deal.objects.all(), pk, "change")
    initial = [
        {
            "product": ln.product_id,
            "description": ln.description,
            "quantity": ln.quantity,
            "unit_price": ln.unit_price,
            "discount_percent": ln.discount_percent,
        }
        for ln in deal.lines.all()
    ]
    formset = DealLineFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        try:
            actions.set_lines(
                request.user,
                deal,
                formset_lines(formset),
                value_source=request.POST.get("value_source") or None,
            )
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(deal.get_absolute_url())
    return render(
        request,
        "sales/lines_form.html",
        {
            "object": deal,
            "formset": formset,
            "cancel_url": deal.get_absolute_url(),
            "value_choice": {
                "source": request.POST.get("value_source") or deal.value_source,
                "value": deal.value,
                "currency": deal.currency,
                "lines_total": sum((ln.line_total for ln in deal.lines.all()), Decimal(0)),
            },
        },
    )


@login_required
@require_POST
def deal_forecast(request: HttpRequest, pk: int) -> HttpResponse:
    deal = fetch(request, Deal.objects.all(), pk, "change")
    form = ForecastCategoryForm(request.POST)
    if form.is_valid():
        try:
            actions.set_forecast_category(
                request.user,
                deal,
                form.cleaned_data["category"],
                override=form.cleaned_data["override"],
                expected_version=version_of(request),
            )
            messages.success(request, _("Forecast category saved."))
        except records.ConflictError as exc:
            exc.ensure_recorded()
            messages.error(request, CONFLICT)
        except ValidationError as exc:
            error_messages(request, exc)
    return redirect(deal.get_absolute_url())


@login_required
@require_POST
def deal_quote(request: HttpRequest, pk: int) -> HttpResponse:
    deal = fetch(request, Deal.objects.all(), pk, "add")
    try:
        quote = quote_actions.create_quote(request.user, deal)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect(deal.get_absolute_url())
    messages.success(request, _("Quote %(number)s created.") % {"number": quote.number})
    return redirect(quote.get_absolute_url())


# --- Kanban board ---------------------------------------------------------------------------


def _board_filters(params: QueryDict, user: Any) -> tuple[Q, dict[str, Any]]:
    q = Q()
    values: dict[str, Any] = {}
    owner = params.get("owner", "")
    if owner == "me":
        q &= Q(owner_id=user.pk)
        values["owner"] = "me"
    elif owner.isdigit():
        q &= Q(owner_id=int(owner))
        values["owner"] = int(owner)
    team = params.get("team", "")
    if team.isdigit():
        q &= Q(team_id=int(team))
        values["team"] = int(team)
    for key, lookup in (
        ("close_from", "expected_close_date__gte"),
        ("close_to", "expected_close_date__lte"),
    ):
        raw = params.get(key, "")
        try:
            day = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            day = None
        if day:
            q &= Q(**{lookup: day})
            values[key] = raw
    return q, values


def _scope(user: Any, pipeline: Pipeline, filters: Q) -> Any:
    since = timezone.now() - dt.timedelta(days=CLOSED_DAYS)
    return (
        visible_to(user, Deal.objects.filter(pipeline=pipeline))
        .filter(filters)
        .filter(Q(status=DealStatus.OPEN) | Q(closed_at__gte=since))
    )


def _totals(qs: Any, stage_ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
    if stage_ids is not None:
        qs = qs.filter(stage_id__in=stage_ids)
    rows = qs.values("stage_id").annotate(n=Count("id"), total=Sum("value")).order_by()
    return {r["stage_id"]: {"count": r["n"], "sum": r["total"] or 0} for r in rows}


def _card_context(deals: list[Deal]) -> dict[int, Any]:
    return activities_bridge.next_activities("sales.deal", [d.pk for d in deals])


@login_required
@require_GET
def board(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request, "sales", "view")
    pipelines = list(Pipeline.objects.filter(active=True))
    if pk is None:
        if not pipelines:
            return render(request, "sales/board.html", {"pipelines": [], "columns": []})
        default = next((p for p in pipelines if p.is_default), pipelines[0])
        query = request.GET.urlencode()
        return redirect(f"{default.get_absolute_url()}{'?' + query if query else ''}")
    pipeline = next((p for p in pipelines if p.pk == pk), None)
    if pipeline is None:
        raise Http404
    filters, values = _board_filters(request.GET, request.user)
    stages = list(pipeline.stages.all())
    qs = _scope(request.user, pipeline, filters)
    totals = _totals(qs)
    deals = list(
        qs.select_related("owner", "customer", "stage").order_by(
            "position", "expected_close_date", "-id"
        )
    )
    by_stage: dict[int, list[Deal]] = {s.pk: [] for s in stages}
    for d in deals:
        if len(by_stage.setdefault(d.stage_id, [])) < CARDS_PER_COLUMN:
            by_stage[d.stage_id].append(d)
    shown = [d for col in by_stage.values() for d in col]
    next_acts = _card_context(shown)
    columns = [
        {
            "stage": s,
            "deals": by_stage.get(s.pk, []),
            "total": totals.get(s.pk, {"count": 0, "sum": 0}),
        }
        for s in stages
    ]
    context = {
        "pipeline": pipeline,
        "pipelines": pipelines,
        "columns": columns,
        "stages": stages,
        "next_acts": next_acts,
        "filters": values,
        "filter_query": urlencode(dict(values.items())),
        "owners": User.objects.filter(
            is_active=True,
            pk__in=visible_to(request.user, Deal.objects.filter(pipeline=pipeline)).values(
                "owner_id"
            ),
        ),
        "teams": Team.objects.all(),
        "lost_reasons": LostReason.objects.filter(active=True),
        "can_move": request.user.has_module_perm("sales", "change"),  # type: ignore[union-attr]
        "closed_days": CLOSED_DAYS,
    }
    return render(request, "sales/board.html", context)


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """The Kanban drop (and the "Move to…" select): one POST with stage + version; answers
    the updated card and both columns' totals (htmx partials), 409 when the version is stale."""
    require(request, "sales", "change")
    deal = get_for_user(request.user, Deal.objects.select_related("stage", "pipeline"), pk=pk)
    stage_id = request.POST.get("stage", "")
    stage = Stage.objects.filter(
        pk=int(stage_id) if stage_id.isdigit() else 0, pipeline_id=deal.pipeline_id
    ).first()
    htmx = is_htmx(request)
    if stage is None:
        return _fail(request, deal, _("Choose a stage of this pipeline."), 400, htmx)
    reason_id = request.POST.get("lost_reason", "")
    reason = LostReason.objects.filter(pk=int(reason_id)).first() if reason_id.isdigit() else None
    old_stage_id = deal.stage_id
    try:
        deal = actions.move_deal(
            request.user, deal, stage, expected_version=version_of(request), lost_reason=reason
        )
    except records.ConflictError as exc:
        exc.ensure_recorded()
        return _fail(request, deal, str(CONFLICT), 409, htmx)
    except (ValidationError, PermissionDenied) as exc:
        msg = (
            "; ".join(exc.messages) if isinstance(exc, ValidationError) else _("Permission denied.")
        )
        return _fail(request, deal, msg, 400, htmx)
    if not htmx:
        messages.success(
            request, _("%(deal)s moved to %(stage)s.") % {"deal": deal, "stage": stage}
        )
        back = request.POST.get("next", "")
        return redirect(
            back
            if back.startswith("/") and not back.startswith("//")
            else deal.pipeline.get_absolute_url()
        )
    filters, _values = _board_filters(QueryDict(request.POST.get("filters", "")), request.user)
    qs = _scope(request.user, deal.pipeline, filters)
    totals = _totals(qs, [old_stage_id, stage.pk])
    deal = Deal.objects.select_related("owner", "customer", "stage").get(pk=deal.pk)
    context = {
        "deal": deal,
        "stages": list(deal.pipeline.stages.all()),
        "next_acts": _card_context([deal]),
        "can_move": True,
        "changed_columns": [
            {"stage": s, "total": totals.get(s.pk, {"count": 0, "sum": 0})}
            for s in Stage.objects.filter(pk__in=[old_stage_id, stage.pk])
        ],
        "lost_reasons": LostReason.objects.filter(active=True),
    }
    return render(request, "sales/board_move.html", context)


def _fail(request: HttpRequest, deal: Deal, message: str, status: int, htmx: bool) -> HttpResponse:
    if not htmx:
        messages.error(request, message)
        return redirect(deal.pipeline.get_absolute_url())
    return render(
        request, "sales/board.html#move-error", {"message": message, "deal": deal}, status=status
    )
