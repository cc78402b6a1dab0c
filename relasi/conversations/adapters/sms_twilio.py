"""Twilio Programmable Messaging as an SMS gateway, over its documented REST API and webhooks.

Send: POST {gateway_url}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To,
From (or MessagingServiceSid), Body and StatusCallback, with HTTP basic auth (the account SID
and the auth token). Twilio answers 201 with the message's `sid`, or an error
`{"code": 21211, "message": ...}`.

Webhooks are form posts signed in X-Twilio-Signature: base64(HMAC-SHA1(auth token, the full
URL Twilio called + every POST parameter, sorted by name, as name + value)). Twilio computes
it over the URL as configured, with or without the default port, so both forms are tried.

Settings of the inbox: config gateway_url (default https://api.twilio.com), account_sid,
messaging_service_sid or sender_id (else the inbox's address) as the sender; secret
auth_token."""

import base64
import hashlib
import hmac
import urllib.parse
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from relasi.conversations import actions, channels
from relasi.conversations.adapters import sms
from relasi.conversations.choices import DeliveryStatus

API = "https://api.twilio.com"
UNSUBSCRIBED = "21610"  # "Attempt to send to unsubscribed recipient": the person sent STOP
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_MEDIA = 10
# MessageStatus → Relasi's delivery status; the steps before "sent" change nothing.
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}


def signature(auth_token: str, url: str, params: Any) -> str:
    """X-Twilio-Signature of a request to `url` with POST `params` (a QueryDict, or a dict of
    strings or lists). A name given more than once is signed once per distinct value, in
    order (Twilio's SDKs: sorted and de-duplicated)."""
    data = url
    for name in sorted(params):
        values = params.getlist(name) if hasattr(params, "getlist") else params[name]
        for value in sorted(set(values if isinstance(values, list) else [values])):
            data += name + value
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_forms(url: str) -> list[str]:
    """The URL as given, without its port and with the scheme's default port."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    forms = [url, parts._replace(netloc=host).geturl()]
    forms.append(parts._replace(netloc=f"{host}:{port}").geturl())
    return list(dict.fromkeys(forms))


def _candidate_urls(request: HttpRequest) -> list[str]:
    from relasi.core import links

    # The public URL Relasi shows administrators (SITE_URL), then the one the request names.
    urls = [links.absolute(request.get_full_path()), request.build_absolute_uri()]
    return list(dict.fromkeys(u for url in urls for u in url_forms(url)))


def _error_text(answer: sms.HttpAnswer, number: str) -> tuple[str, str]:
    data = answer.json()
    code = str(data.get("code") or "")
    text = str(data.get("message") or "") or answer.body.decode("utf-8", "replace")[:200]
    if number:  # Twilio repeats the number ("The 'To' number +62… is not valid"): not in logs
        text = text.replace(number, "…").replace(number.lstrip("+"), "…")
    return code, f"Twilio {answer.status}{' ' + code if code else ''}: {text}".strip()


class TwilioGateway:
    name = "twilio"

    def problem(self, inbox: Any) -> str:
        config = inbox.config or {}
        if str(config.get("account_sid") or "").strip() and inbox.secret("auth_token"):
            return ""
        return str(_("The SMS inbox has no Twilio account SID or auth token."))

    def send(self, inbox: Any, message: Any) -> channels.SendResult:
        config = inbox.config or {}
        account = str(config.get("account_sid") or "").strip()
        token = inbox.secret("auth_token")
        if not account or not token:
            return channels.SendResult(
                False,
                error=_("The SMS inbox has no Twilio account SID or auth token."),
                retry=False,
            )
        base = str(config.get("gateway_url") or API).rstrip("/")
        url = f"{base}/2010-04-01/Accounts/{urllib.parse.quote(account, safe='')}/Messages.json"
        fields = [("To", message.conversation.contact_address), ("Body", message.body)]
        service = str(config.get("messaging_service_sid") or "").strip()
        if service:
            fields.append(("MessagingServiceSid", service))
        else:
            fields.append(("From", str(config.get("sender_id") or inbox.address).strip()))
        fields.append(("StatusCallback", sms.status_callback_url(inbox)))
        try:
            answer = sms.post_form(url, fields, auth=(account, token))
        except sms.RefusedURL:
            return channels.SendResult(
                False, error=_("The SMS gateway URL must use https."), retry=False
            )
        except OSError as exc:  # refused, reset, timed out: worth another try
            return channels.SendResult(False, error=f"{type(exc).__name__}: {exc}"[:500])
        if answer.status in (200, 201):
            data = answer.json()
            sid = str(data.get("sid") or "")
            if not sid:
                return channels.SendResult(False, error="Twilio: no message sid in the answer")
            meta = {"gateway": self.name, "segments": str(data.get("num_segments") or "")}
            return channels.SendResult(True, external_id=sid, meta={"sms": meta})
        code, text = _error_text(answer, message.conversation.contact_address)
        if code == UNSUBSCRIBED:
            sms.suppress_recipient(inbox, "", message.conversation.contact_address, code)
        # A refusal (bad number, bad credentials) stays one; throttling and outages pass.
        retry = answer.status >= 500 or answer.status == 429
        return channels.SendResult(False, error=text[:500], retry=retry)

    def verify(self, inbox: Any, request: HttpRequest) -> bool:
        token = inbox.secret("auth_token")
        given = request.headers.get("X-Twilio-Signature", "")
        if not token or not given or request.method != "POST":
            return False
        account = str((inbox.config or {}).get("account_sid") or "")
        if account and request.POST.get("AccountSid", account) != account:
            return False
        return any(
            hmac.compare_digest(signature(token, url, request.POST), given)
            for url in _candidate_urls(request)
        )

    def parse_inbound(self, inbox: Any, request: HttpRequest) -> actions.Inbound | None:
        p = request.POST
        sid = p.get("MessageSid") or p.get("SmsSid") or ""
        sender = p.get("From", "")
        if not sid or not sender:
            return None
        meta: dict[str, Any] = {"gateway": self.name, "to": p.get("To", "")}
        try:
            count = max(0, min(MAX_MEDIA, int(p.get("NumMedia") or 0)))
        except ValueError:
            count = 0
        media = [
            {"url": p.get(f"MediaUrl{i}", ""), "content_type": p.get(f"MediaContentType{i}", "")}
            for i in range(count)
            if p.get(f"MediaUrl{i}")
        ]
        if media:
            meta["media"] = media
        if p.get("OptOutType"):  # Advanced Opt-Out: STOP, START or HELP
            meta["opt_out"] = p["OptOutType"].lower()
        return actions.Inbound(sender=sender, body=p.get("Body", ""), external_id=sid, meta=meta)

    def parse_status(self, inbox: Any, request: HttpRequest) -> sms.StatusReport | None:
        p = request.POST
        sid = p.get("MessageSid") or p.get("SmsSid") or ""
        state = (p.get("MessageStatus") or p.get("SmsStatus") or "").lower()
        if not sid or not state:
            return None
        code = p.get("ErrorCode", "")
        status = STATUSES.get(state, "")
        error = ""
        if status == DeliveryStatus.FAILED:
            error = f"Twilio {state}{' ' + code if code else ''}"
            if p.get("ErrorMessage"):
                error += f": {p['ErrorMessage']}"
        return sms.StatusReport(
            external_id=sid,
            status=status,
            error=error,
            code=code,
            recipient=p.get("To", ""),
            unsubscribed=code == UNSUBSCRIBED,
        )

    def ack(self) -> HttpResponse:
        return HttpResponse(TWIML_EMPTY, content_type="text/xml; charset=utf-8")


sms.register_gateway(TwilioGateway())
