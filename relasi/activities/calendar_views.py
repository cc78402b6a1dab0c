"""The calendar (day / week / month, htmx navigation), the private iCal feed and its settings,
and the page customers answer an appointment invitation on (signed link, no account)."""

import datetime as dt
import hmac
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.activities import actions, ics, messaging
from relasi.activities import calendar as cal
from relasi.activities.choices import MEETING_KINDS, Status
from relasi.activities.forms import FeedScopeForm, RespondForm
from relasi.activities.models import Activity, CalendarFeed
from relasi.core import audit, links
from relasi.core.htmx import template_for
from relasi.core.throttle import Limit
from relasi.core.typing import AuthedRequest
from relasi.core.views import require

FEED_FAILURES = Limit("ical-feed", 30, 600)
RESPOND_FAILURES = Limit("appointment-link", 30, 600)
FEED_PAST = dt.timedelta(days=90)
FEED_FUTURE = dt.timedelta(days=400)


@login_required
@require_safe
def calendar_page(request: AuthedRequest) -> HttpResponse:
    require(request, "activities", "view")
    view = request.GET.get("view", "week")
    view = view if view in cal.VIEWS else "week"
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in cal.SCOPES else "mine"
    day = cal.parse_day(request.GET.get("date"))
    start, end, prev_day, next_day = cal.date_range(view, day)
    found = cal.items(request.user, scope, cal.aware(start), cal.aware(end))
    days = cal.by_day(found)
    context = {
        "view": view,
        "scope": scope,
        "day": day,
        "today": timezone.localdate(),
        "start": start,
        "end": end - dt.timedelta(days=1),
        "prev_day": prev_day,
        "next_day": next_day,
        "days": days,
        "day_list": cal.days_between(start, end),
        "weeks": cal.weeks(start, end) if view == "month" else [],
        "items": found,
        "show_owner": scope == "team",
        "can_add": request.user.has_module_perm("activities", "add"),  # type: ignore[union-attr]
    }
    return render(request, template_for(request, "activities/calendar.html", "calendar"), context)


# --- private iCal feed --------------------------------------------------------------------------


@login_required
@require_safe
def feed_settings(request: AuthedRequest) -> HttpResponse:
    require(request, "activities", "view")
    feed = actions.feed_for(request.user)
    url = links.absolute(reverse("activities:ical", args=[feed.token]))
    return render(
        request,
        "activities/feed.html",
        {"feed": feed, "feed_url": url, "form": FeedScopeForm(initial={"scope": feed.scope})},
    )


def _own_feed(request: AuthedRequest, key: str) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(key=key, user=request.user).first()
    if feed is None:
        raise Http404
    return feed


@login_required
@require_POST
def feed_regenerate(request: AuthedRequest, key: str) -> HttpResponse:
    feed = _own_feed(request, key)
    actions.regenerate_feed(request.user, feed)
    messages.success(request, _("New feed address made; the old one no longer works."))
    return redirect("activities:feed")


@login_required
@require_POST
def feed_scope(request: AuthedRequest, key: str) -> HttpResponse:
    feed = _own_feed(request, key)
    form = FeedScopeForm(request.POST)
    if form.is_valid():
        actions.set_feed_scope(request.user, feed, form.cleaned_data["scope"])
        messages.success(request, _("Saved."))
    return redirect("activities:feed")


def _find_feed(token: str) -> CalendarFeed | None:
    """The feed whose token equals `token`, compared in constant time (the lookup itself is by
    a prefix, which reveals nothing an attacker could use to guess the rest)."""
    if len(token) < 20:
        return None
    for feed in CalendarFeed.objects.filter(token__startswith=token[:8]).select_related(
        "user", "user__role"
    ):
        if hmac.compare_digest(feed.token.encode(), token.encode()):
            return feed
    return None


@require_safe
def ical_feed(request: AuthedRequest, token: str) -> HttpResponse:
    """The private feed: no login, the secret URL is the credential."""
    ip = audit.client_ip(request) or "-"
    if FEED_FAILURES.blocked_for(ip):
        raise Http404
    feed = _find_feed(token)
    if feed is None or not feed.user.is_active or not feed.user.has_module_perm("activities"):
        FEED_FAILURES.hit(ip)
        raise Http404
    user = feed.user
    now = timezone.now()
    scope = "team" if feed.scope == "team" else "mine"
    start, end = now - FEED_PAST, now + FEED_FUTURE
    events = [
        ics.activity_event(a)
        for a in cal.activities_in(user, scope, start, end)
        if a.status != Status.CANCELLED or a.kind in MEETING_KINDS
    ]
    events += [ics.visit_event(v) for v in cal.visits_in(user, scope, start, end)]
    body = ics.calendar(events, name=f"Relasi · {user}")
    if feed.last_fetched_at is None or now - feed.last_fetched_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Content-Disposition"] = 'inline; filename="relasi.ics"'
    return response


# --- the customer's answer ----------------------------------------------------------------------


def _refused(request: AuthedRequest, status: int) -> HttpResponse:
    return render(request, "activities/respond_refused.html", {"status": status}, status=status)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: AuthedRequest, token: str) -> HttpResponse:
    """Confirm, decline or ask to reschedule an appointment through the signed e-mail link."""
    ip = audit.client_ip(request) or "-"
    if RESPOND_FAILURES.blocked_for(ip):
        return _refused(request, 429)
    try:
        activity_id, customer_id = messaging.read_token(token)
    except signing.SignatureExpired:
        return _refused(request, 410)
    except (signing.BadSignature, ValueError, TypeError):
        RESPOND_FAILURES.hit(ip)
        raise Http404 from None
    activity = (
        Activity.objects.select_related("owner", "customer")
        .filter(pk=activity_id, customer_id=customer_id, kind__in=MEETING_KINDS)
        .first()
    )
    if activity is None:
        raise Http404
    ended = (activity.ends_at or activity.due_at or timezone.now()) + dt.timedelta(hours=12)
    if ended < timezone.now() or activity.status == Status.CANCELLED:
        return _refused(request, 410)
    form = RespondForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            activity = actions.respond(
                activity, customer_id, form.cleaned_data["answer"], form.cleaned_data["note"]
            )
            done = True
        except ValidationError:
            form.add_error(None, _("Please choose an answer."))
    context: dict[str, Any] = {
        "activity": activity,
        "form": form,
        "done": done,
        "when": messaging._when(activity),
    }
    # The customer's preferred language, unless they picked one on the page.
    lang = None
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and activity.customer:
        lang = activity.customer.preferred_language or None
    with translation.override(lang or translation.get_language()):
        response = render(request, "activities/respond.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
