"""Privacy pages: consents on the 360° page, the public preference centre, one-click
unsubscribe, the double opt-in confirmation, the suppression list and the settings."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.core import audit
from relasi.core.access import get_for_user
from relasi.core.choices import AuditAction
from relasi.core.views import require
from relasi.customers.models import Customer
from relasi.privacy import consent, gate, links, suppression
from relasi.privacy.choices import Channel, ConsentSource, ConsentStatus
from relasi.privacy.forms import (
    ChannelPolicyForm,
    ConsentForm,
    PreferencesForm,
    PurposeForm,
    SuppressionForm,
)
from relasi.privacy.models import ChannelPolicy, ConsentEvent, ConsentState, Purpose, Suppression


def _customer(request: HttpRequest, pk: int, action: str = "view") -> Customer:
    require(request, "customers", action)
    return get_for_user(request.user, Customer.objects.all(), pk=pk)


# --- staff: the consent card on the 360° page ---------------------------------------------------


@login_required
@require_POST
def record_consent(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk, "change")
    form = ConsentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect(customer.get_absolute_url())
    d = form.cleaned_data
    try:
        event = consent.record(
            request.user,
            customer,
            d["purpose"],
            d["channel"],
            d["status"],
            source=d["source"],
            wording=d["wording"] or d["purpose"].text,
            evidence=d["evidence"],
            ip=audit.client_ip(request),
        )
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return redirect(customer.get_absolute_url())
    if event.status == ConsentStatus.PENDING:
        messages.info(
            request,
            _(
                "Recorded as awaiting confirmation: the person confirms by e-mail link or by replying YA."
            ),
        )
    else:
        messages.success(request, _("Consent recorded."))
    return redirect(customer.get_absolute_url())


@login_required
@require_POST
def resend_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk, "change")
    states = ConsentState.objects.filter(customer=customer, status=ConsentStatus.PENDING)
    sent = sum(1 for s in states if links.send_confirmation(s.event_id))
    if sent:
        messages.success(request, _("Confirmation request sent."))
    else:
        messages.error(request, _("Nothing to confirm, or the address may not be written to."))
    return redirect(customer.get_absolute_url())


@login_required
@require_safe
def consent_history(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    events = customer.consent_events.select_related("purpose", "actor")[:500]
    return render(request, "privacy/consent_history.html", {"object": customer, "events": events})


# --- public: preference centre, unsubscribe, confirmation -----------------------------------------


def _public_language(request: HttpRequest, customer: Customer) -> None:
    """Pages reached from a message speak the person's language, unless they chose another."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        lang = links.language_of(customer)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang


def _channels_for(customer: Customer) -> list[str]:
    return [ch for ch in Channel.values if gate.address_for(customer, ch)]


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        customer_id = links.read_preferences(token)
    except signing.BadSignature:
        return render(request, "privacy/public_invalid.html", status=400)
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return render(request, "privacy/public_invalid.html", status=400)
    _public_language(request, customer)
    channels = _channels_for(customer)
    purposes = list(Purpose.objects.filter(active=True))
    states = {
        (s.purpose_id, s.channel): s.status for s in ConsentState.objects.filter(customer=customer)
    }

    def on(p: Purpose, ch: str) -> bool:
        status = states.get((p.pk, ch))
        if p.needs_consent:
            return status in (ConsentStatus.GRANTED, ConsentStatus.PENDING)
        return status != ConsentStatus.WITHDRAWN

    cells = [(p, ch, on(p, ch)) for p in purposes for ch in channels]
    form = PreferencesForm(request.POST or None, cells=cells)
    if request.method == "POST" and form.is_valid():
        everything_off = request.POST.get("all") == "off"
        changed = pending = 0
        ip = audit.client_ip(request)
        with transaction.atomic():
            for p, ch, was in cells:
                want = False if everything_off and (p.needs_consent or p.capped) else None
                if want is None:
                    want = bool(form.cleaned_data[f"{p.key}__{ch}"]) if not everything_off else was
                if want == was:
                    continue
                event = consent.record(
                    None,
                    customer,
                    p,
                    ch,
                    ConsentStatus.GRANTED if want else ConsentStatus.WITHDRAWN,
                    source=ConsentSource.PREFERENCE_CENTRE,
                    wording=p.text,
                    evidence=_("Preference centre"),
                    ip=ip,
                )
                changed += 1
                pending += int(event.status == ConsentStatus.PENDING)
        if changed:
            messages.success(request, _("Your choices are saved."))
        else:
            messages.info(request, _("Nothing changed."))
        if pending:
            messages.info(
                request,
                _("For WhatsApp and SMS we will ask you to confirm by replying YA."),
            )
        return redirect(request.path)
    rows = [(p, [(ch, form[f"{p.key}__{ch}"]) for ch in channels]) for p in purposes]
    return render(
        request,
        "privacy/preferences.html",
        {
            "customer": customer,
            "rows": rows,
            "channels": [(ch, Channel(ch).label) for ch in channels],
            "company": links.company_name(),
            "pending": {
                f"{p.key}__{ch}"
                for p in purposes
                for ch in channels
                if states.get((p.pk, ch)) == ConsentStatus.PENDING
            },
        },
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links); POST unsubscribes, from that button or
    from the mail client's one-click unsubscribe."""
    try:
        customer_id, purpose_key, channel = links.read_unsubscribe(token)
    except signing.BadSignature:
        return render(request, "privacy/public_invalid.html", status=400)
    customer = Customer.objects.filter(pk=customer_id).first()
    purpose = Purpose.objects.filter(key=purpose_key).first()
    if customer is None or purpose is None or channel not in Channel.values:
        return render(request, "privacy/public_invalid.html", status=400)
    _public_language(request, customer)
    done = False
    if request.method == "POST":
        if consent.current_status(customer, purpose, channel) != ConsentStatus.WITHDRAWN:
            consent.record(
                None,
                customer,
                purpose,
                channel,
                ConsentStatus.WITHDRAWN,
                source=ConsentSource.UNSUBSCRIBE,
                evidence="one-click" if "List-Unsubscribe" in request.POST else "page",
                ip=audit.client_ip(request),
            )
        done = True
    return render(
        request,
        "privacy/unsubscribe.html",
        {
            "customer": customer,
            "purpose": purpose,
            "channel": Channel(channel).label,
            "done": done,
            "preferences_url": links.preferences_url(customer),
            "company": links.company_name(),
        },
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: GET shows a button, POST records the confirmed consent."""
    try:
        event_id = links.read_confirm(token)
    except signing.BadSignature:
        return render(request, "privacy/public_invalid.html", status=400)
    event = ConsentEvent.objects.select_related("customer", "purpose").filter(pk=event_id).first()
    if event is None:
        return render(request, "privacy/public_invalid.html", status=400)
    customer = event.customer
    _public_language(request, customer)
    current = consent.current_status(customer, event.purpose, event.channel)
    state = "open" if current == ConsentStatus.PENDING else "done"
    if request.method == "POST" and state == "open":
        consent.record(
            None,
            customer,
            event.purpose,
            event.channel,
            ConsentStatus.GRANTED,
            source=ConsentSource.EMAIL_LINK,
            wording=event.wording,
            version=event.wording_version,
            evidence=_("Confirmation link"),
            ip=audit.client_ip(request),
        )
        state = "confirmed"
    return render(
        request,
        "privacy/confirm.html",
        {
            "event": event,
            "state": state,
            "granted": consent.current_status(customer, event.purpose, event.channel)
            == ConsentStatus.GRANTED,
            "company": links.company_name(),
            "preferences_url": links.preferences_url(customer),
        },
    )


# --- privacy staff: overview, suppression list, settings ----------------------------------------


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    require(request, "privacy", "view")
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for row in (
        ConsentState.objects.order_by()
        .values("purpose_id", "channel", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault((row["purpose_id"], row["channel"]), {})[row["status"]] = row["n"]
    purposes = list(Purpose.objects.all())
    table = [
        (p, [(ch, label, counts.get((p.pk, ch), {})) for ch, label in Channel.choices])
        for p in purposes
    ]
    return render(
        request,
        "privacy/home.html",
        {
            "table": table,
            "channels": Channel.choices,
            "recent": ConsentEvent.objects.select_related("customer", "purpose", "actor")[:20],
            "suppressed": Suppression.objects.count(),
            "policies": ChannelPolicy.objects.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def suppression_list(request: HttpRequest) -> HttpResponse:
    require(request, "privacy", "view")
    form = SuppressionForm(request.POST or None)
    if request.method == "POST":
        require(request, "privacy", "add")
        if form.is_valid():
            d = form.cleaned_data
            suppression.suppress(
                d["channel"], d["address"], d["reason"], note=d["note"], actor=request.user
            )
            messages.success(request, _("Address added to the suppression list."))
            return redirect("privacy:suppression_list")
    q = (request.GET.get("q") or "").strip()
    rows = Suppression.objects.select_related("created_by")
    if q:
        rows = rows.filter(address__icontains=q)
    return render(
        request,
        "privacy/suppression_list.html",
        {"rows": rows[:500], "form": form, "q": q, "total": Suppression.objects.count()},
    )


@login_required
@require_POST
def suppression_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "privacy", "delete")
    row = get_object_or_404(Suppression, pk=pk)
    suppression.release(row, request.user)
    messages.success(request, _("Address removed from the suppression list."))
    return redirect("privacy:suppression_list")


@login_required
@require_safe
def settings_page(request: HttpRequest) -> HttpResponse:
    require(request, "privacy", "view")
    consent.ensure_defaults()
    return render(
        request,
        "privacy/settings.html",
        {"purposes": Purpose.objects.all(), "policies": ChannelPolicy.objects.all()},
    )


def _edit(
    request: HttpRequest, form: Any, obj: Any, title: str, back: str = "privacy:settings"
) -> HttpResponse:
    if request.method == "POST":
        require(request, "privacy", "change")
        if form.is_valid():
            before = audit.snapshot(obj) if obj.pk else {}
            saved = form.save()
            audit.record(
                request.user,
                AuditAction.UPDATE if before else AuditAction.CREATE,
                saved,
                changes=audit.diff(before, audit.snapshot(saved)),
            )
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(request, "privacy/edit.html", {"form": form, "title": title, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def purpose_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request, "privacy", "change" if pk else "add")
    obj = get_object_or_404(Purpose, pk=pk) if pk else Purpose()
    form = PurposeForm(request.POST or None, instance=obj)
    return _edit(request, form, obj, str(obj) if pk else _("New purpose"))


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, channel: str) -> HttpResponse:
    require(request, "privacy", "change")
    if channel not in Channel.values:
        raise Http404
    consent.ensure_defaults()
    obj = get_object_or_404(ChannelPolicy, channel=channel)
    form = ChannelPolicyForm(request.POST or None, instance=obj)
    return _edit(request, form, obj, str(obj))
