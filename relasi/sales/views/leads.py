"""Leads: list, "my leads" work list (by score), detail with history and score reasons,
status, notes, reassignment and conversion through the duplicate check."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_GET, require_POST

from relasi.core import records
from relasi.core.access import visible_to
from relasi.core.views import require
from relasi.core.viewsets import ADD_TAG, ASSIGN_OWNER, DELETE, Column, RecordViewSet
from relasi.sales import scoring
from relasi.sales.actions import deals as deal_actions
from relasi.sales.actions import leads as actions
from relasi.sales.choices import OPEN_LEAD_STATUSES
from relasi.sales.filtersets import LeadFilterSet
from relasi.sales.forms import ConvertForm, LeadForm, LeadStatusForm, NoteForm, ReassignForm
from relasi.sales.models import Lead, Pipeline
from relasi.sales.views.common import CONFLICT, error_messages, fetch, version_of


def _reassign_bulk(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    n = 0
    for lead in qs:
        if lead.owner_id != data["owner"].pk:
            actions.reassign(actor, lead, data["owner"])
            n += 1
    return n


class LeadViewSet(RecordViewSet):
    model = Lead
    module = "sales"
    url_name = "lead"
    form_class = LeadForm
    filterset_class = LeadFilterSet
    default_order = "-score"
    select_related = ("owner", "product_interest")
    detail_template = "sales/lead_detail.html"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("company", gl("Company"), order="company"),
        Column("score", gl("Score"), order="score"),
        Column("status", gl("Status"), accessor="get_status_display", order="status"),
        Column("source", gl("Source"), accessor="get_source_display"),
        Column("province", gl("Province")),
        Column("expected_value", gl("Expected value"), order="expected_value"),
        Column("owner", gl("Owner")),
        Column("created_at", gl("Created"), order="created_at"),
    ]
    bulk_actions = [
        type(ASSIGN_OWNER)(
            "owner", gl("Assign owner"), "change", _reassign_bulk, form=ASSIGN_OWNER.form
        ),
        ADD_TAG,
        DELETE,
    ]

    def create(self, actor: Any, form: Any) -> Lead:
        data, tags = self.form_data(form)
        lead = actions.create_lead(actor, data, tags=tags)
        if lead.owner_id is None:  # no rule matched: the creator keeps it
            lead = actions.reassign(actor, lead, actor)
        return lead

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Lead:
        data, tags = self.form_data(form)
        return actions.update_lead(actor, obj, data, expected_version=version, tags=tags)

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_lead(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {
            "events": obj.events.select_related("actor")[:100],
            "status_form": LeadStatusForm(initial={"status": obj.status}),
            "note_form": NoteForm(),
            "reassign_form": ReassignForm(initial={"owner": obj.owner_id}),
            "lead": obj,
            "score_reasons": scoring.explain(obj.score_reasons),  # in the viewer's language
        }


@login_required
@require_GET
def my_leads(request: HttpRequest) -> HttpResponse:
    """The rep's work list: own open leads, hottest first."""
    require(request, "sales", "view")
    leads = (
        visible_to(
            request.user,
            Lead.objects.filter(owner_id=request.user.pk, status__in=OPEN_LEAD_STATUSES),
        )
        .select_related("product_interest")
        .order_by("-score", "-id")[:200]
    )
    return render(request, "sales/my_leads.html", {"leads": leads})


@login_required
@require_POST
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    lead = fetch(request, Lead.objects.all(), pk, "change")
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        try:
            actions.change_status(
                request.user,
                lead,
                form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                expected_version=version_of(request),
            )
            messages.success(request, _("Status changed."))
        except records.ConflictError as exc:
            exc.ensure_recorded()
            messages.error(request, CONFLICT)
        except ValidationError as exc:
            error_messages(request, exc)
    return redirect(lead.get_absolute_url())


@login_required
@require_POST
def lead_note(request: HttpRequest, pk: int) -> HttpResponse:
    lead = fetch(request, Lead.objects.all(), pk, "change")
    form = NoteForm(request.POST)
    if form.is_valid():
        actions.add_note(request.user, lead, form.cleaned_data["body"])
    return redirect(lead.get_absolute_url())


@login_required
@require_POST
def lead_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = fetch(request, Lead.objects.all(), pk, "change")
    if request.POST.get("auto"):
        actions.auto_assign(request.user, lead)
        messages.success(request, _("Assignment rules applied."))
        return redirect(lead.get_absolute_url())
    form = ReassignForm(request.POST)
    if form.is_valid():
        try:
            actions.reassign(
                request.user, lead, form.cleaned_data["owner"], expected_version=version_of(request)
            )
            messages.success(request, _("Lead reassigned."))
        except records.ConflictError as exc:
            exc.ensure_recorded()
            messages.error(request, CONFLICT)
    return redirect(lead.get_absolute_url())


@login_required
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose (or create) the person and organisation among the duplicate check's candidates."""
    lead = fetch(request, Lead.objects.all(), pk, "change")
    require(request, "customers", "view")
    found = actions.duplicate_candidates(request.user, lead)
    lines_total = actions.conversion_lines_total(lead)
    form = ConvertForm(
        request.POST or None,
        initial={
            "deal_name": lead.interest or lead.company or lead.name,
            "value": lead.expected_value,
            "value_source": deal_actions.default_value_source(lead.expected_value),
            "pipeline": Pipeline.objects.filter(active=True)
            .order_by("-is_default", "order")
            .first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        require(request, "customers", "add")
        d = form.cleaned_data
        deal = {}
        if d["create_deal"]:
            deal = {
                k: v
                for k, v in {
                    "name": d["deal_name"],
                    "pipeline": d["pipeline"],
                    "value": d["value"],
                    "expected_close_date": d["expected_close_date"],
                }.items()
                if v not in (None, "")
            }
        try:
            converted = actions.convert_lead(
                request.user,
                lead,
                person=d["person"] or None,
                organization=d["organization"] or None,
                create_deal=d["create_deal"],
                deal=deal,
                value_source=d["value_source"] or None,
                force=True,  # the user saw the candidates on this page
                expected_version=version_of(request),
            )
        except records.ConflictError as exc:
            exc.ensure_recorded()
            messages.error(request, CONFLICT)
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Lead converted."))
            target = (
                converted.converted_deal
                or converted.converted_customer
                or converted.converted_organization
            )
            return redirect(target.get_absolute_url() if target else lead.get_absolute_url())
    return render(
        request,
        "sales/lead_convert.html",
        {"lead": lead, "found": found, "form": form, "lines_total": lines_total},
    )
