"""SMS: one channel adapter in front of many gateways. An inbox names its gateway in
`config["gateway"]` (default "twilio"); a gateway is a small object that sends one message over
its HTTP API and reads the gateway's webhooks (an inbound text, a delivery report), after it
has checked they really come from the gateway (`verify`).

Adding a gateway (Vonage, Zenziva, an operator's own API) is writing one class with the four
methods of `Gateway` and calling `register_gateway(...)` at import (adapters/__init__.py imports
the module). The webhooks (webhooks_sms.py) and the delivery machinery (actions.deliver) stay
as they are."""

import datetime as dt
import ipaddress
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from relasi.conversations import actions, channels
from relasi.conversations.choices import ChannelKind, Direction

log = logging.getLogger("relasi.conversations")
DEFAULT_GATEWAY = "twilio"
TIMEOUT = 15.0  # seconds; a gateway slower than this is retried later
MAX_RESPONSE = 64 * 1024


@dataclass
class StatusReport:
    """A delivery report as a gateway hands it over."""

    external_id: str
    status: str  # a DeliveryStatus, or "" for a step that changes nothing ("queued", "sending")
    error: str = ""
    code: str = ""  # the gateway's error code
    recipient: str = ""
    unsubscribed: bool = False  # the gateway refuses the number: the person opted out there


class Gateway(Protocol):
    name: str

    def send(self, inbox: Any, message: Any) -> channels.SendResult: ...

    def verify(self, inbox: Any, request: HttpRequest) -> bool:
        """Whether the webhook request really comes from the gateway (a signature)."""
        ...

    def parse_inbound(self, inbox: Any, request: HttpRequest) -> actions.Inbound | None: ...

    def parse_status(self, inbox: Any, request: HttpRequest) -> StatusReport | None: ...

    def ack(self) -> HttpResponse:
        """What the gateway expects back from a webhook it delivered."""
        ...


_GATEWAYS: dict[str, Gateway] = {}


def register_gateway(gateway: Gateway) -> Gateway:
    _GATEWAYS[gateway.name] = gateway
    return gateway


def gateway_for(inbox: Any) -> Gateway:
    name = str((inbox.config or {}).get("gateway") or DEFAULT_GATEWAY).strip().lower()
    try:
        return _GATEWAYS[name]
    except KeyError as exc:
        raise channels.ChannelNotConfigured(
            _("The SMS gateway %(gateway)s is not available on this installation.")
            % {"gateway": name}
        ) from exc


def gateways() -> list[str]:
    return sorted(_GATEWAYS)


class SmsAdapter:
    """The channel's one sender: hands each message to the inbox's gateway."""

    kind: str = ChannelKind.SMS

    def problem(self, inbox: Any) -> str:
        """Why nothing can be sent from this inbox now ("" when it can)."""
        try:
            gateway = gateway_for(inbox)
        except channels.ChannelNotConfigured as exc:
            return str(exc)
        check = getattr(gateway, "problem", None)
        return str(check(inbox)) if check is not None else ""

    def send(self, inbox: Any, message: Any) -> channels.SendResult:
        if not (message.body or "").strip():
            return channels.SendResult(
                False, error=_("An SMS carries text only: write a message."), retry=False
            )
        return gateway_for(inbox).send(inbox, message)

    def freeform_until(self, conversation: Any) -> dt.datetime | None:
        return None  # SMS has no service window


channels.register(SmsAdapter())


# --- what the webhooks do with a parsed event ---------------------------------------------------
def receive(inbox: Any, inbound: actions.Inbound) -> Any:
    """Store an inbound text. A gateway that handles opt-out keywords itself says so in
    `meta["opt_out"]`: "stop" with a word Relasi's keywords do not know (Twilio: CANCEL, QUIT,
    END) withdraws the consent as well, so the two never disagree; "start" (the person lifted
    the gateway's block) takes the number off the suppression list where a STOP had put it.
    Consent withdrawn stays withdrawn: START lets service messages through again, not offers."""
    from relasi.privacy import keywords

    message = actions.receive(inbox, inbound)
    opt_out = str(inbound.meta.get("opt_out", "")).lower()
    if opt_out == "stop" and keywords.keyword(inbound.body) != "stop":
        evidence = f"sms {message.sender}: {inbound.body.strip()[:40]} ({inbound.external_id})"
        keywords.handle_reply(ChannelKind.SMS, message.sender, "stop", evidence=evidence)
    elif opt_out == "start":
        release_stop(message.sender)
    return message


def release_stop(number: str) -> int:
    """Take a number off the SMS suppression list where STOP put it (never a staff entry)."""
    from relasi.privacy import suppression
    from relasi.privacy.models import Suppression, SuppressionReason

    rows = Suppression.objects.filter(
        channel=ChannelKind.SMS,
        address=suppression.normalise(ChannelKind.SMS, number),
        reason=SuppressionReason.STOP,
    )
    found = list(rows)
    for row in found:
        suppression.release(row)
    return len(found)


def apply_status(inbox: Any, report: StatusReport) -> bool:
    """Record a delivery report (forward only); a number the gateway says is unsubscribed goes
    on the suppression list, so nothing in Relasi tries it again. True when the message moved."""
    changed = False
    if report.status:
        changed = actions.record_status(
            inbox, report.external_id, report.status, error=report.error
        )
    if report.unsubscribed:
        suppress_recipient(inbox, report.external_id, report.recipient, report.code)
    return changed


def suppress_recipient(inbox: Any, external_id: str, recipient: str, code: str) -> None:
    from relasi.conversations.models import Message
    from relasi.privacy import suppression
    from relasi.privacy.models import SuppressionReason

    sent = (
        Message.objects.filter(inbox=inbox, external_id=external_id, direction=Direction.OUTBOUND)
        .select_related("conversation")
        .first()
        if external_id
        else None
    )
    # Our own record of whom we wrote to is preferred to the address in the report.
    number = sent.conversation.contact_address if sent is not None else recipient
    if not number:
        return
    note = f"gateway {inbox.config.get('gateway') or DEFAULT_GATEWAY} {code} {external_id}"
    suppression.suppress(ChannelKind.SMS, number, SuppressionReason.STOP, note=note.strip())


def status_callback_url(inbox: Any) -> str:
    from relasi.core import links

    return links.absolute(reverse("conversations:sms_status", args=[inbox.widget_key]))


def inbound_url(inbox: Any) -> str:
    from relasi.core import links

    return links.absolute(reverse("conversations:sms_inbound", args=[inbox.widget_key]))


# --- a small HTTP client for gateways -----------------------------------------------------------
@dataclass
class HttpAnswer:
    status: int
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body.decode("utf-8", "replace") or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


class RefusedURL(ValueError):
    """A gateway URL Relasi will not call (not https, or a redirect)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx comes back as an HTTPError: never follow it with our credentials


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> urllib.parse.SplitResult:
    """https only; plain http only to this machine (a gateway daemon on loopback)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise RefusedURL(url)
    if parts.scheme == "http" and not _loopback(host):
        raise RefusedURL(url)
    return parts


def post_form(
    url: str, fields: list[tuple[str, str]], *, auth: tuple[str, str] | None = None
) -> HttpAnswer:
    """POST form-encoded fields; an HTTP error status is an answer, a network fault raises
    (OSError, TimeoutError: the caller retries)."""
    import base64

    parts = check_url(url)
    request = urllib.request.Request(  # noqa: S310 (check_url allowed https and loopback http only)
        url,
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "Relasi-CRM",
        },
    )
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    handlers: list[Any] = [_NoRedirect()]
    if _loopback(parts.hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))  # never through a proxy to loopback
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return HttpAnswer(response.status, response.read(MAX_RESPONSE))
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_RESPONSE) if exc.fp is not None else b""
        return HttpAnswer(exc.code, body)
