"""The WhatsApp Business Cloud API webhook: `/conversations/hooks/whatsapp/<widget_key>/`.

Public (no sign-in, csrf_exempt: Meta's servers post here), so it trusts nothing it has not
checked (SECURITY.md check 25):

- GET is Meta's subscription handshake: `hub.mode=subscribe` and a `hub.verify_token` equal
  to the inbox's sealed `verify_token` answer `hub.challenge`; anything else is 403.
- POST must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>` keyed with the
  inbox's `app_secret`, compared in constant time; a missing or wrong one is 403 and logged as a
  security event. The URL names the inbox (its unguessable `widget_key`); an unknown or
  inactive one is 404.

A signed batch (entry[].changes[].value) holds messages, delivery statuses, or both. The
request keeps the body as one row and answers 200 (conversations.inbound_queue: a burst is
acknowledged at insert speed); a worker then stores each item on its own: one that cannot be
read is logged and skipped, the rest go on. Storing is idempotent (a message by its wamid, a
status only forward), so when the database fails on an item the event is tried again and
stores only what is missing; if the row itself cannot be written the answer is 500 and Meta
sends the batch again. Files are fetched from Graph by a later task (`fetch_media`).

Meta signs no timestamp, so a replayed call cannot be told from a redelivery; it needs no
refusing either: a replay stores nothing new and moves no status back.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotAllowed,
)
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from relasi.conversations import actions, inbound_queue
from relasi.conversations.adapters import whatsapp
from relasi.conversations.choices import ChannelKind, DeliveryStatus, MessageKind
from relasi.conversations.models import Inbox, Message
from relasi.core import audit

log = logging.getLogger("relasi.conversations.whatsapp")
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
MEDIA_ATTEMPTS = 3


@csrf_exempt
@never_cache
def hook(request: HttpRequest, key: str) -> HttpResponse:
    inbox = Inbox.objects.filter(widget_key=key, kind=ChannelKind.WHATSAPP, active=True).first()
    if inbox is None:
        raise Http404
    if request.method == "GET":
        return handshake(request, inbox)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        body = request.body
    except RequestDataTooBig:
        return HttpResponse(status=413)
    if not signature_ok(
        inbox.secret("app_secret"), body, request.headers.get("X-Hub-Signature-256")
    ):
        audit.security_event("conversations.whatsapp_signature", request, inbox=inbox.pk)
        return HttpResponseForbidden()
    try:
        payload = json.loads(body)
    except ValueError:
        log.warning("whatsapp webhook: not JSON", extra={"event": "whatsapp.bad_json"})
        return HttpResponse(status=400)
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return HttpResponse(status=200)  # nothing for the inbox: not kept
    try:
        inbound_queue.accept(inbox, payload)
    except DatabaseError:
        log.exception("whatsapp webhook not kept", extra={"event": "whatsapp.retry"})
        return HttpResponse(status=500)  # Meta sends it again
    return HttpResponse(status=200)


def handshake(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    expected = inbox.secret("verify_token")
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type="text/plain")
    return HttpResponseForbidden()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


# --- the batch ----------------------------------------------------------------------------------
def process(inbox: Inbox, payload: Any) -> Counter[str]:
    """Store every message and status of a signed batch; counts what came of each item. A
    database error goes up (inbound_queue tries the event again); an unreadable item is
    logged and skipped."""
    counts: Counter[str] = Counter()
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        counts["ignored"] += 1
        return counts
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            _item(counts, "change", partial(_change, inbox, change, counts))
    return counts


def _item(counts: Counter[str], what: str, fn: Callable[[], str]) -> None:
    try:
        counts[fn()] += 1
    except DatabaseError:
        raise  # the event is tried again whole (inbound_queue): stored items are not repeated
    except Exception:
        log.exception("whatsapp webhook: %s skipped", what, extra={"event": "whatsapp.bad_item"})
        counts["bad"] += 1


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _change(inbox: Inbox, change: Any, counts: Counter[str]) -> str:
    if change.get("field") != "messages":
        return "ignored"  # template reviews, quality and account updates: not for the inbox
    value = change["value"]
    target = inbox_for(inbox, str((value.get("metadata") or {}).get("phone_number_id") or ""))
    if target is None:
        log.warning("whatsapp webhook: a number of no inbox", extra={"event": "whatsapp.unknown"})
        return "ignored"
    names = {
        str(c.get("wa_id") or ""): str((c.get("profile") or {}).get("name") or "")
        for c in _list(value.get("contacts"))
        if isinstance(c, dict)
    }
    for m in _list(value.get("messages")):
        _item(counts, "message", partial(_message, target, m, names))
    for s in _list(value.get("statuses")):
        _item(counts, "status", partial(_status, target, s))
    for e in _list(value.get("errors")):
        log.warning("whatsapp webhook error: %s", e, extra={"event": "whatsapp.error"})
    return "change"


def inbox_for(inbox: Inbox, phone_number_id: str) -> Inbox | None:
    """The inbox of the business number a change is for. One Meta app has one callback URL
    unless it is overridden per number, so a change for another number of the same app (the
    signature proved the app secret) goes to that number's inbox."""
    own = str((inbox.config or {}).get("phone_number_id") or "")
    if not phone_number_id or not own or phone_number_id == own:
        return inbox
    secret = inbox.secret("app_secret")
    others = Inbox.objects.filter(
        kind=ChannelKind.WHATSAPP, active=True, config__phone_number_id=phone_number_id
    ).exclude(pk=inbox.pk)
    for other in others:
        if hmac.compare_digest(other.secret("app_secret").encode(), secret.encode()):
            return other
    return None


def _when(timestamp: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _message(inbox: Inbox, m: dict[str, Any], names: dict[str, str]) -> str:
    wamid = str(m.get("id") or "")
    sender = str(m.get("from") or "")
    if not sender:
        raise ValueError("a message without a sender")
    if wamid:
        known = Message.objects.filter(inbox=inbox, external_id=wamid).first()
        if known is not None:
            if known.meta.get("media") and not known.attempts:  # its fetch never ran: again
                _fetch_later(known.pk)
            return "duplicate"
    inbound = to_inbound(m, names.get(sender, ""))
    message = actions.receive(inbox, inbound)
    if "media" in inbound.meta:
        _fetch_later(message.pk)
    return "message"


def _fetch_later(pk: int) -> None:
    from relasi.conversations.tasks import fetch_whatsapp_media

    fetch_whatsapp_media.enqueue(pk)


def to_inbound(m: dict[str, Any], name: str = "") -> actions.Inbound:
    """A Cloud API message object as Relasi's Inbound (files are fetched afterwards)."""
    kind = str(m.get("type") or "")
    part: dict[str, Any] = m[kind] if isinstance(m.get(kind), dict) else {}
    meta: dict[str, Any] = {"type": kind}
    body = ""
    message_kind = MessageKind.NORMAL
    if kind == "text":
        body = str(part.get("body") or "")
    elif kind in MEDIA_TYPES:
        body = str(part.get("caption") or "")
        meta["media"] = {
            k: str(part[k]) for k in ("id", "mime_type", "sha256", "filename") if part.get(k)
        }
        if not meta["media"].get("id"):
            raise ValueError("a file without a media id")
    elif kind == "location":
        lat, lng = part.get("latitude"), part.get("longitude")
        label = " ".join(str(part.get(k) or "") for k in ("name", "address")).strip()
        body = f"📍 {lat},{lng} {label}".strip()
        meta["location"] = part
    elif kind == "contacts":
        shared = _list(m.get("contacts"))
        body = "\n".join(_contact_line(c) for c in shared if isinstance(c, dict))
        meta["contacts"] = shared
    elif kind == "interactive":
        sub = str(part.get("type") or "")
        reply: dict[str, Any] = part[sub] if isinstance(part.get(sub), dict) else {}
        body = str(reply.get("title") or "")
        meta["interactive"] = {"type": sub, **reply}
    elif kind == "button":
        body = str(part.get("text") or "")
        meta["button"] = part
    elif kind == "reaction":
        body = str(part.get("emoji") or "")
        meta["reaction"] = part
        message_kind = MessageKind.SYSTEM  # a 👍 is not a question: no clock, no "waiting"
    else:  # unsupported, system, order, ...: keep what it was so an agent can look it up
        body = f"[{kind or 'unknown'}]"
        if m.get("errors"):
            meta["errors"] = m["errors"]
    for extra in ("context", "referral"):
        if isinstance(m.get(extra), dict):
            meta[extra] = m[extra]
    return actions.Inbound(
        sender=str(m.get("from") or ""),
        body=body,
        sender_name=name,
        external_id=str(m.get("id") or ""),
        at=_when(m.get("timestamp")),
        kind=message_kind,
        meta=meta,
    )


def _contact_line(contact: dict[str, Any]) -> str:
    name = str((contact.get("name") or {}).get("formatted_name") or "").strip()
    phones = [str(p.get("phone") or p.get("wa_id") or "") for p in _list(contact.get("phones"))]
    emails = [str(e.get("email") or "") for e in _list(contact.get("emails"))]
    found = ", ".join(x for x in [*phones, *emails] if x)
    return f"👤 {name}: {found}" if found else f"👤 {name}"


def _status(inbox: Inbox, s: dict[str, Any]) -> str:
    status = STATUSES.get(str(s.get("status") or ""))
    wamid = str(s.get("id") or "")
    if status is None or not wamid:
        return "ignored"
    error = ""
    if status == DeliveryStatus.FAILED:
        first = next((e for e in _list(s.get("errors")) if isinstance(e, dict)), {})
        title = str(first.get("title") or first.get("message") or "")
        details = str((first.get("error_data") or {}).get("details") or "")
        error = f"{title}: {details}" if details and details != title else title
        if first.get("code"):
            error = f"{error} ({first['code']})"
    changed = actions.record_status(inbox, wamid, status, at=_when(s.get("timestamp")), error=error)
    return "status" if changed else "status_unchanged"


# --- files, after the answer -------------------------------------------------------------------
def fetch_media(message_id: int) -> str:
    """Download a received file from Graph and attach it to its message (the task)."""
    message = Message.objects.select_related("inbox").filter(pk=message_id).first()
    if message is None or message.attachments.exists():
        return "done"
    media = (message.meta or {}).get("media") or {}
    if not media.get("id"):
        return "none"  # erased meanwhile, or never a file
    if message.attempts >= MEDIA_ATTEMPTS:
        return "gave_up"
    # The claim: an inbound message's `attempts` counts its file's fetches. Two runs at once
    # (the same webhook delivered twice at once) read the same count; only one moves it on.
    attempts = message.attempts + 1
    if not Message.objects.filter(pk=message.pk, attempts=message.attempts).update(
        attempts=attempts
    ):
        return "busy"
    graph = whatsapp.Graph.for_inbox(message.inbox)
    try:
        content, content_type = graph.download(media["id"], settings.MAX_UPLOAD_BYTES)
    except whatsapp.GraphError as exc:
        log.warning(
            "whatsapp media not fetched",
            extra={"event": "whatsapp.media_failed", "message_id": message.pk, "error": str(exc)},
        )
        _media_meta(message, {**media, "attempts": attempts, "error": str(exc)[:300]})
        if exc.retry and attempts < MEDIA_ATTEMPTS:
            _retry_media(message.pk, attempts)
        return "failed"
    kind = str((message.meta or {}).get("type") or "file")
    name = whatsapp.filename_for(kind, media["id"], content_type, media.get("filename", ""))
    actions._attach(message, actions.InboundFile(name, content, content_type))
    _media_meta(message, {**media, "attempts": attempts, "error": "", "fetched": True})
    return "fetched"


def _media_meta(message: Message, media: dict[str, Any]) -> None:
    Message.objects.filter(pk=message.pk).update(meta={**(message.meta or {}), "media": media})


def _retry_media(pk: int, attempts: int) -> None:
    from django.tasks import default_task_backend

    from relasi.conversations.tasks import fetch_whatsapp_media

    if default_task_backend.supports_defer:
        later = timezone.now() + dt.timedelta(minutes=2**attempts)
        fetch_whatsapp_media.using(run_after=later).enqueue(pk)
