"""Sign-in, two-factor, profile and security pages, API tokens, language switch."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relasi.accounts import actions, twofactor
from relasi.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    EmailChangeForm,
    EnableTwoFactorForm,
    LoginForm,
    ProfileForm,
    ReauthForm,
    ResetPasswordForm,
    TokenForm,
)
from relasi.accounts.models import ApiToken, User, UserSession
from relasi.core import audit, links
from relasi.core.throttle import Limit
from relasi.core.typing import AuthedRequest

LOGIN_BY_USER = Limit("login-user", settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_SECONDS)
LOGIN_BY_IP = Limit("login-ip", settings.LOGIN_FAILURE_LIMIT * 4, settings.LOGIN_LOCKOUT_SECONDS)
TOTP_LIMIT = Limit("totp", settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_SECONDS)
RESET_LIMIT = Limit("reset", 5, 3600)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked(request: HttpRequest, username: str) -> int:
    ip = audit.client_ip(request) or "-"
    return max(LOGIN_BY_USER.blocked_for(username.lower()), LOGIN_BY_IP.blocked_for(ip))


def _reserve_attempt(username: str, ip: str) -> bool:
    by_user = LOGIN_BY_USER.reserve(username.lower())
    by_ip = LOGIN_BY_IP.reserve(ip)
    return by_user and by_ip


def _login_blocked(request: HttpRequest, form: LoginForm, username: str) -> HttpResponse:
    wait = _locked(request, username) or settings.LOGIN_LOCKOUT_SECONDS
    audit.security_event("login.blocked", request, username=username)
    form.add_error(
        None,
        _("Too many failed attempts. Try again in %(min)d minutes.") % {"min": wait // 60 + 1},
    )
    response = render(request, "accounts/login.html", {"form": form}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _finish_login(request: HttpRequest, user: User, target: str = "") -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    actions.record_login(request, user)
    response = redirect(target or _safe_next(request))
    if user.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        if "@" in username:
            # One counter per account whether it is named by username or by e-mail.
            match = User.objects.filter(email__iexact=username).first()
            username = match.username if match else username
        ip = audit.client_ip(request) or "-"
        if _locked(request, username):
            return _login_blocked(request, form, username)
        # Take the attempt before the slow password hash, atomically: parallel requests
        # cannot all pass a check made before any of them was counted.
        if not _reserve_attempt(username, ip):
            return _login_blocked(request, form, username)
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            audit.security_event("login.failed", request, username=username)
            form.add_error(None, _("The username or password is not correct."))
            status = 400
        else:
            LOGIN_BY_USER.reset(username.lower())
            LOGIN_BY_IP.release(ip)
            if user.totp_enabled:
                request.session.cycle_key()
                request.session["pending_2fa_user"] = user.pk
                request.session["pending_2fa_next"] = _safe_next(request)
                return redirect("accounts:2fa_verify")
            return _finish_login(request, user)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=status,
    )


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get("pending_2fa_user")
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ident = str(user.pk)
        if (wait := TOTP_LIMIT.blocked_for(ident)) or not TOTP_LIMIT.reserve(ident):
            wait = wait or TOTP_LIMIT.blocked_for(ident) or settings.LOGIN_LOCKOUT_SECONDS
            audit.security_event("mfa.blocked", request, user=user)
            response = render(
                request, "accounts/2fa_verify.html", {"form": form, "blocked": True}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        code = form.cleaned_data["code"]
        if twofactor.verify(user, code) or twofactor.use_recovery_code(user, code):
            TOTP_LIMIT.reset(ident)
            audit.security_event("mfa.success", request, user=user)
            target = request.session.pop("pending_2fa_next", "")
            del request.session["pending_2fa_user"]
            return _finish_login(request, user, target)
        audit.security_event("mfa.failed", request, user=user)
        form.add_error(
            "code", _("That code is not valid. Codes can be used once and change every 30 seconds.")
        )
        return render(request, "accounts/2fa_verify.html", {"form": form}, status=400)
    return render(request, "accounts/2fa_verify.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    key = request.session.session_key
    if request.user.is_authenticated:
        audit.security_event("logout", request)
    logout(request)
    UserSession.objects.filter(session_key=key).delete()
    return redirect("accounts:login")


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user: User = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        actions.update_user(user, user, {k: form.cleaned_data[k] for k in form.Meta.fields})
        messages.success(request, _("Profile saved."))
        response = redirect("accounts:profile")
        if form.cleaned_data.get("language"):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"], samesite="Lax"
            )
        return response
    sessions = UserSession.objects.filter(user=user)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "sessions": sessions, "current_key": request.session.session_key},
    )


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Django drops every other session when the password hash changes; keep this one
        # (under its new key) and remove the others from the list as well.
        old_key = request.session.session_key
        update_session_auth_hash(request, user)
        actions.rekey_session(old_key, request.session.session_key)
        revoked = actions.password_replaced(
            user,
            user,
            revoke_tokens=form.cleaned_data["revoke_tokens"],
            keep_session=request.session.session_key,
            request=request,
        )
        messages.success(request, _("Password changed. Your other sessions were signed out."))
        if revoked:
            messages.info(request, _("%(n)d API tokens were revoked.") % {"n": revoked})
        return redirect("accounts:profile")
    return render(request, "accounts/form_page.html", {"form": form, "title": _("Change password")})


@login_required
def email_change(request: AuthedRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_email(request, request.user, form.cleaned_data["email"])
        messages.success(request, _("E-mail address changed."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/form_page.html", {"form": form, "title": _("Change e-mail address")}
    )


@login_required
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    user: User = request.user
    secret = request.session.get("pending_totp_secret") or twofactor.new_secret()
    request.session["pending_totp_secret"] = secret
    form = EnableTwoFactorForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = twofactor.matching_step(secret, form.cleaned_data["code"])
        if step is None:
            form.add_error("code", _("That code is not valid."))
        else:
            codes = actions.enable_2fa(request, user, secret, step)
            del request.session["pending_totp_secret"]
            return render(request, "accounts/2fa_codes.html", {"codes": codes})
    context = {"form": form, "secret": secret, "uri": twofactor.provisioning_uri(user, secret)}
    return render(request, "accounts/2fa_setup.html", context)


@login_required
def two_factor_disable(request: AuthedRequest) -> HttpResponse:
    user: User = request.user
    if user.must_use_2fa:
        messages.error(request, _("Your role requires two-factor authentication."))
        return redirect("accounts:profile")
    form = ReauthForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.disable_2fa(request, user)
        actions.end_sessions(user, user, keep=request.session.session_key, request=request)
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/form_page.html",
        {"form": form, "title": _("Turn off two-factor authentication")},
    )


@login_required
@require_POST
def session_end(request: AuthedRequest, pk: int) -> HttpResponse:
    # Sessions are named by their row id: a session key in a page would be a credential.
    if not actions.end_session(request.user, request.user, pk, request):
        raise Http404
    messages.success(request, _("Session ended."))
    return redirect("accounts:profile")


@login_required
@require_POST
def sessions_end_others(request: AuthedRequest) -> HttpResponse:
    n = actions.end_sessions(
        request.user, request.user, keep=request.session.session_key, request=request
    )
    messages.success(request, _("%(n)d other sessions ended.") % {"n": n})
    return redirect("accounts:profile")


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    user: User = request.user
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = actions.issue_token(
            user, form.cleaned_data["name"], form.scopes(), form.cleaned_data.get("expires_at")
        )
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": ApiToken.objects.filter(user=user), "new_key": new_key},
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    actions.revoke_token(request.user, token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if lang and check_for_language(lang) and lang in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        if request.user.is_authenticated:
            User.objects.filter(pk=request.user.pk).update(language=lang)
    return response


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Password reset request, limited per IP and per address; never says whether it exists."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        # The link points at SITE_URL, never at the Host header the client sent.
        return {"protocol": links.scheme(), "domain": links.domain(), "site_name": "Relasi"}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ip = audit.client_ip(request) or "-"
        email = request.POST.get("email", "").strip().lower()
        if wait := max(RESET_LIMIT.blocked_for(ip), RESET_LIMIT.blocked_for(email)):
            audit.security_event("password_reset.blocked", request, email=email)
            response = render(
                request, self.template_name, {"form": self.get_form(), "blocked": True}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        RESET_LIMIT.hit(ip)
        RESET_LIMIT.hit(email)
        audit.security_event("password_reset.requested", request)
        return super().post(request, *args, **kwargs)


class RevokingPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from a reset link: every session ends, and the API tokens are
    revoked unless the user unticks the box."""

    form_class = ResetPasswordForm
    template_name = "accounts/form_page.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        actions.password_replaced(
            form.user,
            form.user,
            revoke_tokens=form.cleaned_data["revoke_tokens"],
            request=self.request,
            reset=True,
        )
        return response
