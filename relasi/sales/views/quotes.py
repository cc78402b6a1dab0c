"""Quotes: list and detail, edit lines, revise, PDF download, e-mail, discount approval."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_GET, require_POST

from relasi.core import records
from relasi.core.viewsets import Column, RecordViewSet
from relasi.sales import quoting
from relasi.sales.actions import quotes as actions
from relasi.sales.filtersets import QuoteFilterSet
from relasi.sales.forms import (
    DecisionForm,
    QuoteForm,
    QuoteLineFormSet,
    SendQuoteForm,
    formset_lines,
)
from relasi.sales.models import Quote
from relasi.sales.views.common import CONFLICT, error_messages, fetch, version_of


class QuoteViewSet(RecordViewSet):
    model = Quote
    module = "sales"
    url_name = "quote"
    form_class = QuoteForm
    filterset_class = QuoteFilterSet
    select_related = ("owner", "customer", "deal")
    detail_template = "sales/quote_detail.html"
    default_order = "-pk"
    columns = [
        Column("number", gl("Number"), accessor=str, link=True, order="number"),
        Column("customer", gl("Customer")),
        Column("deal", gl("Deal")),
        Column("status", gl("Status"), accessor="get_status_display", order="status"),
        Column("total", gl("Total"), order="total"),
        Column("issue_date", gl("Date"), order="issue_date"),
        Column("valid_until", gl("Valid until")),
        Column("owner", gl("Owner")),
    ]
    bulk_actions: list = []

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Quote:
        data, _tags = self.form_data(form)
        return actions.update_quote(actor, obj, data, expected_version=version)

    def create(self, actor: Any, form: Any) -> Any:
        raise PermissionDenied  # quotes are created from a deal

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        user = request.user
        return {
            "quote": obj,
            "lines": obj.lines.select_related("product"),
            "revisions": Quote.objects.filter(number=obj.number).order_by("-revision"),
            "needs_approval": actions.needs_approval(obj),
            "can_send": actions.can_send(obj),
            "can_approve": obj.status == "pending_approval" and actions.can_approve(user, obj),
            "owner_limit": actions.discount_limit(obj.owner) if obj.owner_id else 0,
            "send_form": SendQuoteForm(
                initial={"to": obj.customer.primary_email if obj.customer_id else ""}
            ),
            "editable": obj.status in actions.EDITABLE_STATUSES,
        }


@login_required
def quote_lines(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(request, Quote.objects.all(), pk, "change")
    initial = [
        {
            "product": ln.product_id,
            "description": ln.description,
            "quantity": ln.quantity,
            "unit_price": ln.unit_price,
            "discount_percent": ln.discount_percent,
            "tax_rate": ln.tax_rate,
        }
        for ln in quote.lines.all()
    ]
    formset = QuoteLineFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        try:
            actions.update_quote(
                request.user,
                quote,
                {},
                lines=formset_lines(formset),
                expected_version=version_of(request),
            )
        except records.ConflictError as exc:
            exc.ensure_recorded()
            messages.error(request, CONFLICT)
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(quote.get_absolute_url())
    return render(
        request,
        "sales/lines_form.html",
        {"object": quote, "formset": formset, "cancel_url": quote.get_absolute_url()},
    )


@login_required
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(
        request, Quote.objects.select_related("customer", "deal", "owner", "template"), pk, "view"
    )
    pdf = quoting.render_pdf(quote)
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{quoting.filename(quote)}"'
    return response


@login_required
@require_POST
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(request, Quote.objects.all(), pk, "add")
    try:
        new = actions.revise(request.user, quote)
    except ValidationError as exc:
        error_messages(request, exc)
        return redirect(quote.get_absolute_url())
    messages.success(request, _("Revision %(n)s created.") % {"n": new.revision})
    return redirect(new.get_absolute_url())


@login_required
@require_POST
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(request, Quote.objects.select_related("customer", "deal", "owner"), pk, "change")
    form = SendQuoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect(quote.get_absolute_url())
    try:
        actions.send(
            request.user,
            quote,
            form.cleaned_data["to"],
            subject=form.cleaned_data["subject"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Quote sent."))
    return redirect(quote.get_absolute_url())


@login_required
@require_POST
def quote_request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(request, Quote.objects.all(), pk, "change")
    try:
        actions.request_approval(request.user, quote)
        messages.success(request, _("Approval requested."))
    except ValidationError as exc:
        error_messages(request, exc)
    return redirect(quote.get_absolute_url())


@login_required
@require_POST
def quote_decide(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(request, Quote.objects.all(), pk, "change")
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        actions.decide(
            request.user,
            quote,
            bool(form.cleaned_data.get("approve")),
            form.cleaned_data.get("note", ""),
        )
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        error_messages(request, exc)
    return redirect(quote.get_absolute_url())


@login_required
@require_POST
def quote_mark(request: HttpRequest, pk: int) -> HttpResponse:
    quote = fetch(request, Quote.objects.all(), pk, "change")
    try:
        actions.mark(request.user, quote, request.POST.get("status", ""))
    except ValidationError as exc:
        error_messages(request, exc)
    return redirect(quote.get_absolute_url())


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """The old discount-approvals page: everything is in the approvals inbox now."""
    return redirect("core:approvals")
