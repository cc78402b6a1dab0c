"""The customer portal (/portal/): magic-link sign-in, the customer's own tickets, replies,
new tickets; and the survey page reached from e-mailed links (/portal/survey/<token>/).

A portal session is not a Django login: the signed-in customer's id sits in the session under
its own keys with its own idle and absolute timeouts, so a customer is never a staff user and
staff pages never see one. Every ticket, message and file is fetched with the customer in the
query, so another customer's id is a 404."""

import os
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.core import audit
from relasi.core.throttle import Limit
from relasi.customers.models import Customer
from relasi.service import actions, tasks
from relasi.service.actions import portal as portal_actions
from relasi.service.choices import Channel, MessageKind, SurveyKind
from relasi.service.models import Ticket, TicketAttachment
from relasi.service.public_forms import (
    CsatForm,
    EmailForm,
    NpsForm,
    PortalReplyForm,
    PortalTicketForm,
)
from relasi.service.views.ticket_actions import file_response

CUSTOMER_KEY = "portal_customer"
STARTED_KEY = "portal_started"
SEEN_KEY = "portal_seen"
LINK_PER_IP = Limit("portal-link-ip", 10, 15 * 60)
LINK_PER_EMAIL = Limit("portal-link-email", 3, 15 * 60)
WRITE_LIMIT = Limit("portal-write", 30, 60 * 60)


def _setting(name: str, default: int) -> int:
    """A Django setting, else the environment variable of the same name, else the default."""
    return int(getattr(settings, name, os.environ.get(name, default)))


def idle_seconds() -> int:
    return _setting("PORTAL_IDLE_SECONDS", 30 * 60)


def absolute_seconds() -> int:
    return _setting("PORTAL_ABSOLUTE_SECONDS", 12 * 3600)


def sign_in(request: HttpRequest, customer: Customer) -> None:
    request.session.cycle_key()  # a fresh session id on sign-in (fixation)
    now = time.time()
    request.session[CUSTOMER_KEY] = customer.pk
    request.session[STARTED_KEY] = request.session[SEEN_KEY] = now


def sign_out(request: HttpRequest) -> None:
    for key in (CUSTOMER_KEY, STARTED_KEY, SEEN_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()


def current_customer(request: HttpRequest) -> Customer | None:
    customer_id = request.session.get(CUSTOMER_KEY)
    if not customer_id:
        return None
    now = time.time()
    seen = request.session.get(SEEN_KEY, 0)
    started = request.session.get(STARTED_KEY, 0)
    if now - seen > idle_seconds() or now - started > absolute_seconds():
        sign_out(request)
        return None
    if now - seen > 60:
        request.session[SEEN_KEY] = now
    return Customer.objects.filter(pk=customer_id).first()


def portal_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        customer = current_customer(request)
        if customer is None:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        request.portal_customer = customer  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _customer(request: HttpRequest) -> Customer:
    return request.portal_customer  # type: ignore[attr-defined, no-any-return]


def _own_ticket(request: HttpRequest, pk: int) -> Ticket:
    ticket = (
        Ticket.objects.select_related("ticket_type", "merged_into")
        .filter(pk=pk, customer=_customer(request))
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _too_many(
    request: HttpRequest, form: Any, wait: int, template: str, context: dict[str, Any]
) -> HttpResponse:
    audit.security_event("portal.throttled", request, path=request.path[:200])
    form.add_error(None, _("Too many attempts. Please try again in a few minutes."))
    response = render(request, template, {**context, "form": form}, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if current_customer(request) is not None:
        return redirect("portal:home")
    form = EmailForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "service/portal/login.html", {"form": form}, status=400)
        email = portal_actions.normalise(form.cleaned_data["email"])
        ip = audit.client_ip(request) or "-"
        wait = max(LINK_PER_IP.blocked_for(ip), LINK_PER_EMAIL.blocked_for(email))
        if wait:
            return _too_many(request, form, wait, "service/portal/login.html", {})
        LINK_PER_IP.hit(ip)
        LINK_PER_EMAIL.hit(email)
        # The same answer, and no lookup in this request, whether or not the address is known.
        tasks.send_portal_links.enqueue(email, None if ip == "-" else ip)
        return render(request, "service/portal/link_sent.html", {"email": email})
    return render(request, "service/portal/login.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links must not use them up); POST signs in."""
    if request.method == "GET":
        valid = portal_actions.peek(token) is not None
        return render(
            request, "service/portal/redeem.html", {"valid": valid}, status=200 if valid else 400
        )
    customer = portal_actions.redeem(token, request)
    if customer is None:
        return render(request, "service/portal/redeem.html", {"valid": False}, status=400)
    sign_in(request, customer)
    return redirect("portal:home")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("portal:login")


@portal_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    tickets = (
        Ticket.objects.filter(customer=_customer(request))
        .select_related("ticket_type")
        .order_by("-created_at")[:200]
    )
    return render(
        request, "service/portal/home.html", {"tickets": tickets, "customer": _customer(request)}
    )


def _throttled_write(request: HttpRequest) -> int:
    ident = f"c{_customer(request).pk}"
    if wait := WRITE_LIMIT.blocked_for(ident):
        return wait
    WRITE_LIMIT.hit(ident)
    return 0


@portal_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    form = PortalTicketForm(request.POST or None, request.FILES or None)
    context = {"customer": _customer(request)}
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "service/portal/new_ticket.html", {**context, "form": form}, status=400
            )
        if wait := _throttled_write(request):
            return _too_many(request, form, wait, "service/portal/new_ticket.html", context)
        d = form.cleaned_data
        ticket = actions.create_ticket(
            None,
            _customer(request),
            {
                "ticket_type": d["ticket_type"],
                "category": d["category"],
                "subject": d["subject"],
                "description": d["description"],
                "channel": Channel.PORTAL,
            },
            audit_message="opened in the customer portal",
        )
        if d.get("attachment"):
            actions.add_attachment(None, ticket, d["attachment"], public=True)
        return redirect("portal:ticket", pk=ticket.pk)
    return render(request, "service/portal/new_ticket.html", {**context, "form": form})


def _ticket_page(
    request: HttpRequest, ticket: Ticket, form: PortalReplyForm, status: int = 200
) -> HttpResponse:
    messages = (
        ticket.messages.filter(kind__in=[MessageKind.REPLY, MessageKind.CUSTOMER])
        .select_related("author")
        .order_by("created_at", "id")
    )
    files = ticket.attachments.filter(public=True)
    return render(
        request,
        "service/portal/ticket.html",
        {
            "ticket": ticket,
            "conversation": messages,
            "files": files,
            "form": form,
            "customer": _customer(request),
        },
        status=status,
    )


@portal_required
@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_ticket(request, pk)
    if request.method == "GET":
        return _ticket_page(request, found, PortalReplyForm())
    form = PortalReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _ticket_page(request, found, form, status=400)
    if found.merged_into_id:
        form.add_error(None, _("This request was merged into another one; reply there."))
        return _ticket_page(request, found, form, status=400)
    if wait := _throttled_write(request):
        return _too_many(
            request,
            form,
            wait,
            "service/portal/ticket.html",
            {"ticket": found, "customer": _customer(request)},
        )
    uploads = [form.cleaned_data["attachment"]] if form.cleaned_data.get("attachment") else []
    try:
        actions.add_customer_message(found, form.cleaned_data["body"], uploads=uploads)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _ticket_page(request, found, form, status=400)
    return redirect(reverse("portal:ticket", args=[found.pk]) + "#conversation")


@portal_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = TicketAttachment.objects.filter(
        pk=pk, public=True, ticket__customer=_customer(request)
    ).first()
    if found is None:
        raise Http404
    return file_response(found)


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Answer a survey by its single-use link (no sign-in)."""
    found = actions.find_survey(token)
    state = actions.survey_state(found)
    if found is None:
        raise Http404
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:  # the language the e-mail was in
        translation.activate(found.language)
        request.LANGUAGE_CODE = found.language
    form_class = NpsForm if found.kind == SurveyKind.NPS else CsatForm
    context: dict[str, Any] = {"survey": found, "state": state}
    if state != "open":
        return render(request, "service/portal/survey.html", context, status=410)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_survey(found, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "service/portal/survey.html", {**context, "state": "thanks"})
    status = 400 if form.errors else 200
    return render(request, "service/portal/survey.html", {**context, "form": form}, status=status)
