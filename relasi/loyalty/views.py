"""Loyalty pages: the programmes with their liability, a member's card and ledger, enrolment
from the 360° page, staff adjustments and redemptions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST

from relasi.core.access import get_for_user, visible_to
from relasi.core.formatting import money
from relasi.core.views import require
from relasi.core.viewsets import Column, RecordViewSet
from relasi.customers.models import Customer
from relasi.loyalty import actions, reports
from relasi.loyalty.forms import EnrolForm, PointsForm, ProgrammeForm
from relasi.loyalty.models import Member, Programme


class ProgrammeViewSet(RecordViewSet):
    model = Programme
    module = "loyalty"
    url_name = "programme"
    form_class = ProgrammeForm
    scoped = False
    default_order = "name"
    columns = [
        Column("name", gl("Name"), order="name", link=True),
        Column("code", gl("Code"), order="code"),
        Column("active", gl("Active")),
        Column("point_value", gl("Point value"), accessor=lambda p: money(p.point_value)),
    ]
    detail_fields = ProgrammeForm.Meta.fields
    bulk_actions = []


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for e in exc.messages:
        messages.error(request, e)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require(request, "loyalty", "view")
    visible = visible_to(request.user, Member.objects.all())
    return render(
        request,
        "loyalty/home.html",
        {
            "liability": reports.liability(visible),
            "programmes": Programme.objects.annotate(n=Count("members")),
        },
    )


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "loyalty", "view")
    member = get_for_user(
        request.user, Member.objects.select_related("programme", "customer"), pk=pk
    )
    entries = member.entries.select_related("order", "staff")[:200]
    return render(
        request,
        "loyalty/member_detail.html",
        {"member": member, "entries": entries, "form": PointsForm()},
    )


@login_required
@require_POST
def member_points(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    require(request, "loyalty", "change")
    member = get_for_user(request.user, Member.objects.select_related("programme"), pk=pk)
    form = PointsForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if what == "redeem":
                actions.redeem(request.user, member, d["points"], reason=d["reason"])
            else:
                actions.adjust(request.user, member, d["points"], d["reason"])
            messages.success(request, _("Points recorded."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Enter a number of points."))
    return redirect(member.get_absolute_url())


@login_required
def enrol(request: HttpRequest, customer_pk: int, programme_pk: int) -> HttpResponse:
    require(request, "loyalty", "add")
    require(request, "customers", "change")
    customer = get_for_user(request.user, Customer.objects.all(), pk=customer_pk)
    programme = get_object_or_404(Programme, pk=programme_pk, active=True)
    initial: dict[str, Any] = {
        f: getattr(customer, f)
        for f in ("first_name", "last_name", "date_of_birth", "occupation", "region")
    }
    form = EnrolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            member = actions.enrol(
                request.user,
                programme,
                customer=customer,
                form=d,
                consents={ch: True for ch in ("whatsapp", "email") if d.get(f"marketing_{ch}")},
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Enrolled: member number %(n)s.") % {"n": member.number})
            return redirect(member.get_absolute_url())
    return render(
        request, "loyalty/enrol.html", {"form": form, "customer": customer, "programme": programme}
    )
