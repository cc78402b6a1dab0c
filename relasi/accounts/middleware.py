"""Session lifetime (30 min idle / 12 h absolute) and enforced two-factor enrolment."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.accounts.models import UserSession

SEEN_WRITE_INTERVAL = 60  # seconds between last-seen writes, to keep requests cheap


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get("_started", now)
            seen = request.session.get("_seen", now)
            if (
                now - seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_ABSOLUTE_SECONDS
            ):
                key = request.session.session_key
                logout(request)
                UserSession.objects.filter(session_key=key).delete()
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"error": {"status": 401, "message": _("Session expired.")}}, status=401
                    )
                messages.info(request, _("Your session expired. Please sign in again."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if now - seen > SEEN_WRITE_INTERVAL:
                request.session["_seen"] = now
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen_at=timezone.now()
                )
            elif "_seen" not in request.session:
                request.session["_seen"] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """A user whose role requires 2FA but who has not set it up may only reach the setup page."""

    ALLOWED = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/health/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_use_2fa
            and not user.totp_enabled
            and not request.path.startswith(self.ALLOWED)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "status": 403,
                            "message": _("Two-factor authentication must be set up first."),
                        }
                    },
                    status=403,
                )
            return redirect("accounts:2fa_setup")
        return self.get_response(request)
