"""The public, hosted lead-capture form `/f/<key>/` (no sign-in).

It is csrf_exempt because other sites embed it (an iframe, or a plain HTML form posting
here), where Django's CSRF cookie cannot exist; the honeypot, the per-IP rate limit and the
signed, single-use form token take CSRF's place against bots and replays (relasi.sales.webforms).

Framing: Relasi forbids framing everywhere (X-Frame-Options DENY, CSP frame-ancestors 'none')
against clickjacking. This one page exists to be embedded on the company's own websites, so it
alone drops X-Frame-Options and allows any ancestor; it shows no signed-in data and performs no
action for a signed-in user, so being framed cannot be abused for clickjacking.
"""

from typing import Any
from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt

from relasi.core import audit
from relasi.sales import webforms
from relasi.sales.models import WebForm

_FRAMEABLE_CSP: dict[str, Any] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, "https:", "http:"],  # the redirect after submitting
    "frame-ancestors": ["*"],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}


@csrf_exempt
@xframe_options_exempt
@csp_override(_FRAMEABLE_CSP)
@never_cache
def webform_public(request: HttpRequest, key: Any) -> HttpResponse:
    webform = WebForm.objects.filter(key=key, active=True).first()
    if webform is None:
        raise Http404
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    ip = audit.client_ip(request)
    ident = webforms.ip_ident(ip, webform)
    context: dict[str, Any] = {"webform": webform}
    if request.method == "POST":
        if webforms.SUBMIT_LIMIT.blocked_for(ident):
            response = render(
                request,
                "sales/webform_public.html",
                {**context, "throttled": True, "form": None},
                status=429,
            )
            response["Retry-After"] = str(webforms.SUBMIT_LIMIT.window)
            return response
        webforms.SUBMIT_LIMIT.hit(ident)
        form = webforms.build_form(webform, request.POST)
        if request.POST.get(webforms.HONEYPOT):
            # Looks like success to the bot; nothing is stored.
            audit.security_event("webform.honeypot", request, form=str(webform.key))
            return render(request, "sales/webform_public.html", {**context, "done": True})
        problem = webforms.check_token(webform, request.POST.get("token", ""))
        if problem:
            audit.security_event("webform.token", request, form=str(webform.key), problem=problem)
            form = webforms.build_form(webform)
            form.fields["token"].initial = webforms.make_token(webform)
            return render(
                request,
                "sales/webform_public.html",
                {**context, "form": form, "stale": True},
                status=400,
            )
        if form.is_valid():
            try:
                webforms.submit(
                    webform, form.cleaned_data, ip=ip, referrer=request.headers.get("referer", "")
                )
            except webforms.forms.ValidationError as exc:
                form.add_error(None, exc)
            else:
                if webform.redirect_url and urlsplit(webform.redirect_url).scheme in (
                    "http",
                    "https",
                ):
                    return redirect(webform.redirect_url)
                return render(request, "sales/webform_public.html", {**context, "done": True})
        data = request.POST.copy()
        data["token"] = webforms.make_token(webform)
        form.data = data
        return render(request, "sales/webform_public.html", {**context, "form": form}, status=400)
    form = webforms.build_form(webform)
    form.fields["token"].initial = webforms.make_token(webform)
    return render(request, "sales/webform_public.html", {**context, "form": form})
