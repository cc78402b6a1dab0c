"""Segment pages: the list, the builder (new and edit; htmx swaps the builder and the live
count), the detail page with the member list, snapshots and export, and the POST actions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.core.access import get_for_user
from relasi.core.htmx import is_htmx
from relasi.core.pagination import paginate
from relasi.core.views import require
from relasi.marketing import actions, builder, rules, segments
from relasi.marketing.models import Segment

T = "marketing/segment_form.html"


def _segment(request: HttpRequest, pk: int) -> Segment:
    return get_for_user(request.user, Segment.objects.all(), pk=pk)


@login_required
@require_safe
def segment_list(request: HttpRequest) -> HttpResponse:
    require(request, "marketing", "view")
    rows = segments.visible_segments(request.user).select_related("owner")
    return render(request, "marketing/segment_list.html", {"rows": rows[:500]})


def _count(request: HttpRequest, rule: dict[str, Any]) -> dict[str, Any]:
    try:
        clean = rules.validate(rule)
    except ValidationError as exc:
        return {"count": None, "errors": exc.messages}
    return {"count": segments.count(request.user, clean), "errors": []}


def _builder_context(request: HttpRequest, rule: dict[str, Any]) -> dict[str, Any]:
    return {"rows": builder.rows(rule), "sections": builder.sections(), "ops": rules.OPS,
            **_count(request, rule)}  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request, "marketing", "view")
    segment = _segment(request, pk) if pk else None
    require(request, "marketing", "change" if segment else "add")
    ctx: dict[str, Any] = {"segment": segment, "errors": []}
    if request.method == "GET":
        rule = segment.rule if segment else {"op": "and", "rules": [
            {"field": "lifecycle_stage", "op": "in", "value": ["customer"]}]}  # fmt: skip
        ctx.update(
            name=segment.name if segment else "", description=getattr(segment, "description", "")
        )
        return render(request, T, {**ctx, **_builder_context(request, rule)})
    rule = builder.parse(request.POST)
    ctx.update(name=request.POST.get("name", ""), description=request.POST.get("description", ""))
    if action := request.POST.get("do"):
        rule = builder.apply(rule, action)
        tpl = f"{T}#builder" if is_htmx(request) else T
        return render(request, tpl, {**ctx, **_builder_context(request, rule)})
    data = {"name": ctx["name"], "description": ctx["description"], "rule": rule}
    try:
        if segment is None:
            segment = actions.create_segment(request.user, data)
        else:
            version = request.POST.get("version")
            segment = actions.update_segment(
                request.user, segment, data, expected_version=int(version) if version else None
            )
    except ValidationError as exc:
        ctx["errors"] = exc.messages
        return render(request, T, {**ctx, **_builder_context(request, rule)}, status=422)
    messages.success(request, _("Segment saved."))
    return redirect(segment)


@login_required
@require_POST
def segment_count(request: HttpRequest) -> HttpResponse:
    """The live count of the builder's current rule (htmx, on every change)."""
    require(request, "marketing", "view")
    ctx = _count(request, builder.parse(request.POST))
    return render(request, "marketing/segment_form.html#count", ctx)


@login_required
@require_safe
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "marketing", "view")
    segment = _segment(request, pk)
    qs = segments.members(request.user, segment.rule).only(
        "name", "primary_email", "city", "lifecycle_stage", "kind"
    )
    page = paginate(qs, order="name", after=request.GET.get("after"),
                    before=request.GET.get("before"), limit=50)  # fmt: skip
    ctx = {
        "segment": segment,
        "page": page,
        "rows": builder.rows(segment.rule),
        "ops": rules.OPS,
        "snapshots": segment.snapshots.select_related("created_by")[:50],
        "people_url": reverse("customers:person_list") + f"?segment={segment.pk}",
        "export_url": reverse("customers:person_export") + f"?segment={segment.pk}&format=csv",
    }
    return render(request, "marketing/segment_detail.html", ctx)


@login_required
@require_POST
def segment_recount(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "marketing", "view")
    actions.recount(request.user, _segment(request, pk))
    return redirect("marketing:segment_detail", pk)


@login_required
@require_POST
def segment_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "marketing", "change")
    snap = actions.take_snapshot(request.user, _segment(request, pk), request.POST.get("name", ""))
    messages.success(request, _("Snapshot taken: %(n)d members.") % {"n": snap.size})
    return redirect("marketing:segment_detail", pk)


@login_required
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "marketing", "delete")
    actions.delete_segment(request.user, _segment(request, pk))
    messages.success(request, _("Segment deleted."))
    return redirect("marketing:segment_list")
