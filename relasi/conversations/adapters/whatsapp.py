"""WhatsApp Business Cloud API: replies, media and templates through Meta's Graph API.

The inbox's `config` names the Graph base URL (`graph_url`, default
https://graph.facebook.com/v21.0) and the business number (`phone_number_id`); its sealed
secrets hold `access_token` (a system user's permanent token), `app_secret` (signs webhooks)
and `verify_token` (the subscription handshake). Inbound messages and delivery reports arrive
through relasi/conversations/webhooks_whatsapp.py.

Why a thin client over urllib rather than pywa (MIT, on PyPI, 4.5 at the time of writing):
Relasi uses five documented endpoints (send a message, upload media, read a media's URL,
download it, and nothing else), each a JSON POST or GET. pywa would bring httpx (not otherwise
installed) and ~9,000 lines built around its own bot model: handler decorators, listeners,
filters, Flows, its own webhook server for Flask/FastAPI, its own exception tree. Relasi already
has the parts pywa is organised around: one queue with retries (actions.deliver), one webhook
view that hands messages to actions.receive, sealed per-inbox secrets, per-inbox base URLs (the
tests point them at a fake Graph server on loopback). Mapping pywa's types back onto those
would be more code than the client below, and its release cadence follows Graph API versions
that we can follow by changing `graph_url`. Revisit if Relasi grows Flows or catalogue
messages, where pywa's typed builders would earn their weight.
"""

import datetime as dt
import json
import mimetypes
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from relasi.conversations import channels
from relasi.conversations.choices import ChannelKind

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
TIMEOUT = 20.0
WINDOW = dt.timedelta(hours=24)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Graph error codes that mean "slow down", not "never": throttling and spam-rate limits.
THROTTLED = {4, 80007, 130429, 131048, 131056}
_NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class GraphError(Exception):
    """A refused or failed Graph call; `retry` says whether trying again later can help."""

    def __init__(self, message: str, *, status: int = 0, code: int = 0, retry: bool = True):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry = retry


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The token goes only where Graph said; a redirect is an error, never followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect())


@dataclass
class Graph:
    """The few Graph API calls Relasi makes, for one business number."""

    base_url: str
    token: str
    phone_number_id: str
    timeout: float = TIMEOUT

    @classmethod
    def for_inbox(cls, inbox: Any) -> "Graph":
        config = inbox.config or {}
        return cls(
            base_url=str(config.get("graph_url") or DEFAULT_GRAPH_URL).rstrip("/"),
            token=inbox.secret("access_token"),
            phone_number_id=str(config.get("phone_number_id") or ""),
            timeout=float(config.get("timeout") or TIMEOUT),
        )

    @property
    def ready(self) -> bool:
        return bool(self.token and self.phone_number_id)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str = "",
        max_bytes: int = 1024 * 1024,
    ) -> tuple[bytes, str]:
        """One call; returns the body and its content type, raises GraphError."""
        if not url.startswith(("http://", "https://")):
            url = f"{self.base_url}/{url.lstrip('/')}"
        if not url.startswith(("http://", "https://")):  # a graph_url of file:// or worse
            raise GraphError(_("The WhatsApp API address must start with https://."), retry=False)
        req = urllib.request.Request(url, data=body, method=method)  # noqa: S310 (checked above)
        req.add_header("Authorization", f"Bearer {self.token}")
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with _opener.open(req, timeout=self.timeout) as resp:
                data = resp.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise GraphError(_("The file is larger than allowed."), retry=False)
                return data, resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from exc
        except TimeoutError as exc:
            raise GraphError(_("The WhatsApp API did not answer in time.")) from exc
        except urllib.error.URLError as exc:
            raise GraphError(
                _("The WhatsApp API could not be reached: %(reason)s") % {"reason": exc.reason}
            ) from exc

    def post_json(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        data, _type = self.request(
            "POST", path, json.dumps(payload).encode(), "application/json; charset=utf-8"
        )
        return _json(data)

    def send(self, payload: dict[str, Any]) -> str:
        """POST /{phone-number-id}/messages; the new message's wamid."""
        answer = self.post_json(f"{self.phone_number_id}/messages", payload)
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphError(_("The WhatsApp API gave no message id.")) from exc

    def upload(self, name: str, content: bytes, content_type: str) -> str:
        """POST /{phone-number-id}/media (multipart); the media id to send by."""
        boundary = secrets.token_hex(16)
        fields = {"messaging_product": "whatsapp", "type": content_type}
        body = _multipart(boundary, fields, ("file", name, content, content_type))
        data, _type = self.request(
            "POST",
            f"{self.phone_number_id}/media",
            body,
            f"multipart/form-data; boundary={boundary}",
        )
        media_id = _json(data).get("id")
        if not media_id:
            raise GraphError(_("The WhatsApp API gave no media id."))
        return str(media_id)

    def media_info(self, media_id: str) -> dict[str, Any]:
        """GET /{media-id}: its short-lived download URL, type and size."""
        data, _type = self.request("GET", str(media_id))
        return _json(data)

    def download(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """A received file's bytes and content type (the URL needs the token too)."""
        info = self.media_info(media_id)
        url = str(info.get("url") or "")
        if not url.startswith(("https://", "http://")):
            raise GraphError(_("The WhatsApp API gave no download address."), retry=False)
        if url.startswith("http://") and not self.base_url.startswith("http://"):
            raise GraphError(_("The WhatsApp API gave no download address."), retry=False)
        size = int(info.get("file_size") or 0)
        if size > max_bytes:
            raise GraphError(_("The file is larger than allowed."), retry=False)
        content, content_type = self.request("GET", url, max_bytes=max_bytes)
        return content, str(info.get("mime_type") or content_type or "application/octet-stream")


def _json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data or b"{}")
    except ValueError as exc:
        raise GraphError(_("The WhatsApp API answered with something other than JSON.")) from exc
    return value if isinstance(value, dict) else {}


def _http_error(exc: urllib.error.HTTPError) -> GraphError:
    """4xx: Graph refused (a bad number, an expired token, outside the window) and saying it
    again will not help, except when it asks us to slow down; 5xx: worth another try."""
    try:
        error = json.loads(exc.read() or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = int(error.get("code") or 0) if str(error.get("code") or "0").isdigit() else 0
    message = str(error.get("message") or exc.reason or exc.code)
    details = str((error.get("error_data") or {}).get("details") or "")
    if details and details not in message:
        message = f"{message} ({details})"
    retry = exc.code >= 500 or exc.code == 429 or code in THROTTLED
    return GraphError(f"WhatsApp {exc.code}: {message}", status=exc.code, code=code, retry=retry)


def _multipart(boundary: str, fields: dict[str, str], file: tuple[str, str, bytes, str]) -> bytes:
    out = bytearray()
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    field_name, name, content, content_type = file
    safe = name.replace('"', "").replace("\r", "").replace("\n", "")
    out += (
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{field_name}"; filename="{safe}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    out += content + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out)


# --- what Relasi sends ------------------------------------------------------------------------
def recipient(address: str) -> str:
    """The number as WhatsApp wants it: digits only (E.164 without the plus, a wa_id)."""
    return "".join(ch for ch in address if ch.isdigit())


def text_payload(to: str, body: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body},
    }


def template_payload(to: str, template: dict[str, Any], default_language: str) -> dict[str, Any]:
    """A pre-approved template: name, language code and its body's {{1}}, {{2}}, ... values."""
    content: dict[str, Any] = {
        "name": str(template.get("name") or ""),
        "language": {"code": str(template.get("language") or default_language or "id")},
    }
    params = [str(p) for p in template.get("params") or []]
    if params:
        content["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": content,
    }


def media_kind(content_type: str) -> str:
    """Which WhatsApp media type a file goes as (anything unusual goes as a document)."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in ("image/jpeg", "image/png"):
        return "image"
    if ct in ("video/mp4", "video/3gpp"):
        return "video"
    if ct in ("audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"):
        return "audio"
    return "document"


def media_payload(
    to: str, kind: str, media_id: str, caption: str = "", filename: str = ""
) -> dict[str, Any]:
    media: dict[str, Any] = {"id": media_id}
    if caption and kind != "audio":
        media["caption"] = caption
    if kind == "document" and filename:
        media["filename"] = filename
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: media,
    }


def filename_for(kind: str, media_id: str, mime_type: str, given: str = "") -> str:
    if given:
        return given
    ext = mimetypes.guess_extension((mime_type or "").split(";")[0].strip()) or ""
    return f"whatsapp-{kind}-{media_id}{ext}"


class WhatsAppAdapter:
    kind: str = ChannelKind.WHATSAPP

    def payloads(self, inbox: Any, message: Any, graph: Graph) -> list[dict[str, Any]]:
        """The Graph messages one Relasi message becomes (files are uploaded first, so a failed
        upload sends nothing and the whole message is tried again)."""
        to = recipient(message.conversation.contact_address)
        template = (message.meta or {}).get("template")
        if template:
            return [template_payload(to, template, inbox.language)]
        body = message.body or ""
        out: list[dict[str, Any]] = []
        files = list(message.attachments.all())
        for f in files:
            with f.file.open("rb") as fh:
                media_id = graph.upload(f.name, fh.read(), f.content_type)
            kind = media_kind(f.content_type)
            caption = ""
            if body and kind != "audio" and len(body) <= CAPTION_LIMIT and not out:
                caption, body = body, ""
            out.append(media_payload(to, kind, media_id, caption, f.name))
        if body:
            out.insert(0, text_payload(to, body))
        return out

    def problem(self, inbox: Any) -> str:
        """Why nothing can be sent from this inbox now ("" when it can)."""
        if Graph.for_inbox(inbox).ready:
            return ""
        return str(_("WhatsApp is not set up for this inbox (phone number id or access token)."))

    def send(self, inbox: Any, message: Any) -> channels.SendResult:
        graph = Graph.for_inbox(inbox)
        if not graph.ready:
            return channels.SendResult(
                False,
                error=_("WhatsApp is not set up for this inbox (phone number id or access token)."),
                retry=False,
            )
        if len(message.body or "") > TEXT_LIMIT:
            return channels.SendResult(
                False,
                error=_("WhatsApp messages are at most %(n)d characters.") % {"n": TEXT_LIMIT},
                retry=False,
            )
        try:
            wamids = [graph.send(p) for p in self.payloads(inbox, message, graph)]
        except GraphError as exc:
            return channels.SendResult(False, error=str(exc), retry=exc.retry)
        if not wamids:
            return channels.SendResult(False, error=_("Nothing to send."), retry=False)
        meta = {"wamids": wamids} if len(wamids) > 1 else {}
        return channels.SendResult(True, external_id=wamids[0], meta=meta)

    def freeform_until(self, conversation: Any) -> dt.datetime | None:
        """WhatsApp's customer-service window: 24 hours from the customer's last message.
        Never written to us: the window is closed (only a template may open the chat). That is
        a time long past rather than "now": may_reply compares with a `now` it took earlier."""
        last = conversation.last_inbound_at
        if last is None:
            return _NEVER
        return last + WINDOW


channels.register(WhatsAppAdapter())


def reply_templates(inbox: Any) -> list[dict[str, Any]]:
    """The approved templates an agent may send once the 24-hour window has closed, from the
    inbox's `reply_templates` setting: 'name, language, parameter count; ...'."""
    out: list[dict[str, Any]] = []
    for part in str((inbox.config or {}).get("reply_templates") or "").split(";"):
        bits = [b.strip() for b in part.split(",")]
        if not bits or not bits[0]:
            continue
        language = bits[1] if len(bits) > 1 and bits[1] else (inbox.language or "id")
        try:
            count = max(0, min(10, int(bits[2]))) if len(bits) > 2 and bits[2] else 0
        except ValueError:
            count = 0
        out.append({"name": bits[0][:512], "language": language[:15], "params": count})
    return out
