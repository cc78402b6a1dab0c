"""Public lead-capture forms: the field catalogue, the spam defences and submissions.

Defences on the public endpoint (it is csrf_exempt because other sites embed it):
- a honeypot field that people never see (bots fill it) → silently accepted, nothing stored;
- a per-IP rate limit (relasi.core.throttle) → 429;
- a signed token carrying the form key, a timestamp and a nonce: older than TOKEN_MAX_AGE, younger
  than MIN_FILL_SECONDS (no person fills a form in under two seconds), for another form or
  already used (single use, remembered in the cache) → refused. Tokens of the plain-HTML embed
  snippet are long-lived and reusable (the snippet is static), so they rely on the honeypot and
  the rate limit; the iframe/hosted page gets a fresh single-use token on every load.
"""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core.throttle import Limit
from relasi.sales.actions import leads as lead_actions
from relasi.sales.choices import LeadEventKind
from relasi.sales.models import Lead, WebForm, WebFormSubmission

HONEYPOT = "website_url"
TOKEN_MAX_AGE = 2 * 3600
EMBED_TOKEN_MAX_AGE = 366 * 86400
MIN_FILL_SECONDS = 2
SUBMIT_LIMIT = Limit("webform-submit", 10, 600)  # per client address and form
_SALT = "relasi.sales.webform"


@dataclass
class FieldSpec:
    name: str
    label: Any
    kind: str = "text"
    max_length: int = 200


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec("first_name", gl("First name"), max_length=100),
        FieldSpec("last_name", gl("Last name"), max_length=100),
        FieldSpec("name", gl("Full name")),
        FieldSpec("email", gl("E-mail"), "email", 254),
        FieldSpec("phone", gl("Phone / WhatsApp"), "tel", 30),
        FieldSpec("company", gl("Company")),
        FieldSpec("job_title", gl("Job title"), max_length=100),
        FieldSpec("city", gl("City"), max_length=100),
        FieldSpec("province", gl("Province"), max_length=100),
        FieldSpec("interest", gl("What are you interested in?"), "textarea", 300),
        FieldSpec("notes", gl("Message"), "textarea", 2000),
    ]
}


def field_choices() -> list[tuple[str, Any]]:
    return [(k, f.label) for k, f in FIELDS.items()]


def make_token(form: WebForm, *, embed: bool = False) -> str:
    return signing.dumps(
        {"k": str(form.key), "t": int(time.time()), "n": secrets.token_urlsafe(8), "e": int(embed)},
        salt=_SALT,
        compress=True,
    )


def check_token(form: WebForm, token: str) -> str | None:
    """None when the token is good (and, for single-use tokens, burns it); else the reason."""
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=EMBED_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return "bad-token"
    if data.get("k") != str(form.key):
        return "wrong-form"
    age = time.time() - int(data.get("t", 0))
    if data.get("e"):
        return None
    if age > TOKEN_MAX_AGE:
        return "expired"
    if age < MIN_FILL_SECONDS:
        return "too-fast"
    key = "wf-nonce:" + hashlib.sha256(str(data.get("n")).encode()).hexdigest()[:32]
    if not cache.add(key, 1, timeout=TOKEN_MAX_AGE):
        return "replay"
    return None


def build_form(webform: WebForm, data: Any = None) -> forms.Form:
    """The public form for `webform` (only the chosen fields, with their required flags)."""
    form = forms.Form(data)
    for spec in webform.fields or []:
        fs = FIELDS.get(spec.get("name", ""))
        if fs is None:
            continue
        required = bool(spec.get("required"))
        label = spec.get("label") or fs.label
        if fs.kind == "email":
            field: forms.Field = forms.EmailField(
                label=label, required=required, max_length=fs.max_length
            )
        elif fs.kind == "textarea":
            field = forms.CharField(
                label=label,
                required=required,
                max_length=fs.max_length,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        else:
            field = forms.CharField(label=label, required=required, max_length=fs.max_length)
            if fs.kind == "tel":
                field.widget.input_type = "tel"  # type: ignore[attr-defined]
        form.fields[fs.name] = field
    if webform.consent_text:
        form.fields["consent"] = forms.BooleanField(
            label=webform.consent_text, required=webform.consent_required
        )
    form.fields[HONEYPOT] = forms.CharField(required=False, label=_("Leave this field empty"))
    form.fields["token"] = forms.CharField(widget=forms.HiddenInput, required=False)
    return form


def ip_ident(ip: str | None, webform: WebForm) -> str:
    return f"{ip or '-'}:{webform.key}"


def submit(
    webform: WebForm, cleaned: dict[str, Any], *, ip: str | None, referrer: str = ""
) -> Lead:
    """Create the lead from a valid submission, record consent, send the welcome e-mail."""
    from django.utils import timezone

    data = {k: v for k, v in cleaned.items() if k in FIELDS and v not in (None, "")}
    if not (
        data.get("name")
        or data.get("first_name")
        or data.get("last_name")
        or data.get("company")
        or data.get("email")
    ):
        raise forms.ValidationError(_("Tell us at least your name or e-mail."))
    if not (
        data.get("name") or data.get("first_name") or data.get("last_name") or data.get("company")
    ):
        data["name"] = data["email"].split("@")[0]
    data["source"] = webform.source
    if webform.product_interest_id:
        data["product_interest"] = webform.product_interest
    if webform.target_owner_id:
        data["owner"] = webform.target_owner
    extra: dict[str, Any] = {"web_form": webform}
    if webform.target_team_id and not webform.target_owner_id:
        extra["team"] = webform.target_team
    if cleaned.get("consent"):
        extra.update(
            consent=True, consent_text=webform.consent_text[:500], consent_at=timezone.now()
        )
    with transaction.atomic():
        lead = lead_actions.create_lead(
            None,
            data,
            extra=extra,
            event=LeadEventKind.WEB_FORM,
            event_message=_("Submitted the web form “%(form)s”") % {"form": webform.name},
        )
        WebFormSubmission.objects.create(
            form=webform,
            lead=lead,
            data={k: str(v) for k, v in data.items() if k in FIELDS},
            ip_hash=hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()
            if ip
            else "",
            referrer=referrer[:300],
        )
    if webform.send_welcome and lead.email:
        send_welcome(webform, lead)
    return lead


def send_welcome(webform: WebForm, lead: Lead) -> None:
    subject = webform.welcome_subject or _("Thank you for contacting us")
    body = (
        webform.welcome_body
        or webform.thank_you_text
        or _("Thank you, we have received your message and will contact you soon.")
    )
    greeting = _("Hello %(name)s,") % {"name": lead.first_name or lead.name}
    from relasi.privacy import gate

    # The answer to the person's own submission: only the suppression list applies.
    if not gate.may_contact(None, "email", "service", address=lead.email, requested=True):
        return
    try:
        send_mail(subject, f"{greeting}\n\n{body}\n", None, [lead.email])
    except Exception:
        logging.getLogger("relasi.sales").exception("welcome e-mail failed")


def embed_snippets(webform: WebForm, base_url: str) -> dict[str, str]:
    """The iframe snippet and a plain HTML form posting to the hosted endpoint."""
    from django.utils.html import escape

    url = base_url.rstrip("/") + webform.public_url()
    iframe = (
        f'<iframe src="{escape(url)}" title="{escape(webform.title or webform.name)}" '
        'style="width:100%;max-width:560px;height:640px;border:0" loading="lazy"></iframe>'
    )
    rows = []
    for spec in webform.fields or []:
        fs = FIELDS.get(spec.get("name", ""))
        if fs is None:
            continue
        req = " required" if spec.get("required") else ""
        label = escape(str(spec.get("label") or fs.label))
        if fs.kind == "textarea":
            control = f'<textarea name="{fs.name}"{req}></textarea>'
        else:
            kind = fs.kind if fs.kind in ("email", "tel") else "text"
            control = f'<input type="{kind}" name="{fs.name}"{req}>'
        rows.append(f"  <p><label>{label}<br>{control}</label></p>")
    if webform.consent_text:
        req = " required" if webform.consent_required else ""
        rows.append(
            f'  <p><label><input type="checkbox" name="consent" value="on"{req}> {escape(webform.consent_text)}</label></p>'
        )
    html = "\n".join(
        [
            f'<form method="post" action="{escape(url)}" accept-charset="utf-8">',
            *rows,
            f'  <p style="position:absolute;left:-9999px" aria-hidden="true"><input name="{HONEYPOT}" tabindex="-1" autocomplete="off"></p>',
            f'  <input type="hidden" name="token" value="{escape(make_token(webform, embed=True))}">',
            f'  <button type="submit">{escape(webform.submit_label or _("Send"))}</button>',
            "</form>",
        ]
    )
    return {"iframe": iframe, "html": html, "url": url}
