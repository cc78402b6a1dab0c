"""Pages of data-subject requests: the list with deadline badges and filters, the request with
its steps and actions, the export downloads, and the customer portal's "My data" page. Thin
views over `relasi.privacy.dsr`; module "privacy"; requests are seen through their customer's
visibility (`access_via = "customer"`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.core.access import get_for_user, may, require_perm, visible_to
from relasi.customers.models import Customer
from relasi.privacy import dsr, export
from relasi.privacy.forms_dsr import CloseForm, PortalRequestForm, RequestForm, VerifyForm
from relasi.privacy.models import DataRequest
from relasi.privacy.models.dsr import OPEN_STATUSES, RequestKind, RequestStatus
from relasi.privacy.views_breach import CLOCK_CSS, clock_text

LIST_LIMIT = 200


def _requests(user: Any) -> Any:
    return visible_to(user, DataRequest.objects.select_related("customer", "assigned_to"))


def _get(request: HttpRequest, pk: int, action: str = "view") -> DataRequest:
    require_perm(request.user, "privacy", action)
    return get_for_user(request.user, _requests(request.user), pk=pk)


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "privacy", "view")
    qs = _requests(request.user)
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in RequestStatus.values:
        qs = qs.filter(status=status)
    if kind in RequestKind.values:
        qs = qs.filter(kind=kind)
    rows = list(qs.order_by("received_at", "pk")[:LIST_LIMIT])
    now = timezone.now()
    if request.GET.get("overdue"):
        rows = [r for r in rows if r.is_open and r.deadline < now]
    items = [(r, r.clock(now)) for r in rows]
    return render(
        request,
        "privacy/dsr_list.html",
        {
            "items": [(r, c, clock_text(c), CLOCK_CSS[c.state]) for r, c in items],  # type: ignore[arg-type]
            "status": status,
            "kind": kind,
            "overdue": bool(request.GET.get("overdue")),
            "statuses": RequestStatus.choices,
            "kinds": RequestKind.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "privacy", "add")
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer") else {}
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        pk = data.pop("customer")
        data["customer"] = get_for_user(request.user, Customer.objects.all(), pk=pk) if pk else None
        try:
            req = dsr.create_request(request.user, data, channel="staff")
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect(req.get_absolute_url())
    return render(
        request, "privacy/dsr_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(request, pk)
    clock = req.clock()
    return render(
        request,
        "privacy/dsr_detail.html",
        {
            "object": req,
            "clock": clock,
            "clock_text": clock_text(clock),  # type: ignore[arg-type]  # the same shape
            "clock_css": CLOCK_CSS[clock.state],
            "steps": dsr.history(req),
            "verify_form": VerifyForm(),
            "close_form": CloseForm(),
            "can_change": may(request.user, "privacy.change"),
            "can_export": may(request.user, "privacy.export") and req.verified,
            "can_erase": may(request.user, "privacy.delete"),
        },
    )


def _act(request: HttpRequest, pk: int, action: str, fn: Any) -> HttpResponse:
    req = _get(request, pk, action)
    try:
        fn(req)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Not allowed."))
    return redirect(req.get_absolute_url())


@login_required
@require_POST
def request_verify(request: HttpRequest, pk: int) -> HttpResponse:
    _get(request, pk, "change")  # permission and visibility before the form
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the identity was verified."))
        return redirect("privacy:dsr_detail", pk=pk)
    d = form.cleaned_data
    return _act(
        request, pk, "change", lambda r: dsr.verify(request.user, r, d["method"], d["note"])
    )


@login_required
@require_POST
def request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    req = _get(request, pk, "change")
    action = "delete" if req.kind == RequestKind.ERASURE else "change"
    return _act(request, pk, action, lambda r: dsr.complete(request.user, r, text))


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _get(request, pk, "change")  # permission and visibility before the form
    form = CloseForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return _act(request, pk, "change", lambda r: dsr.reject(request.user, r, text))


@login_required
@require_POST
def request_cancel_erasure(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "delete", lambda r: dsr.cancel_erasure(request.user, r))


@login_required
@require_safe
def request_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    req = _get(request, pk, "export")
    if fmt not in ("json", "pdf"):
        raise Http404
    try:
        dsr.record_export(request.user, req, fmt)
    except PermissionDenied:
        messages.error(request, _("Verify the requester's identity first."))
        return redirect(req.get_absolute_url())
    customer = req.customer
    if fmt == "json":
        body, ctype = export.to_json(customer, request.user), "application/json"
    else:
        body, ctype = export.render_pdf(customer, request.user), "application/pdf"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(customer, fmt)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- the customer portal --------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def portal_my_data(request: HttpRequest) -> HttpResponse:
    """ "My data": a signed-in customer sees their requests and files a new one. The portal
    sign-in (a link sent to their address) is the identity verification."""
    from relasi.service.views.portal import current_customer

    customer = current_customer(request)
    if customer is None:
        return redirect("portal:login")
    form = PortalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {"kind": d["kind"], "details": d["details"], "purposes": d["purposes"]}
        data |= {"customer": customer, "requester_email": customer.primary_email}
        try:
            req = dsr.create_request(None, data, channel="portal")
            dsr.verify(None, req, "portal", _("Signed in to the customer portal"))
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                _("Request %(ref)s received. We will answer within %(hours)s hours.")
                % {"ref": req.reference, "hours": req.due_hours},
            )
            return redirect("portal:my_data")
    reqs = DataRequest.objects.filter(customer=customer).order_by("-received_at")[:50]
    status = 400 if form.errors else 200
    return render(
        request,
        "privacy/dsr_portal.html",
        {"customer": customer, "form": form, "requests": reqs},
        status=status,
    )


def open_count(user: Any) -> int:
    return _requests(user).filter(Q(status__in=OPEN_STATUSES)).count()
