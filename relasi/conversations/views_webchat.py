"""The web-chat widget's public endpoints (no login, no cookies, no CSRF token: the visitor's
token in the X-Relasi-Visitor header is the only credential, never in a URL), and the staff
demo page that embeds the widget.

CORS: an inbox's config["allowed_origins"] (a list of "https://shop.example" origins) limits
which sites may embed its widget; without it any origin may, and no credentials are ever
allowed. Every endpoint is rate-limited per widget and client address (core.throttle)."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from relasi.conversations import stream, webchat
from relasi.conversations.choices import ChannelKind
from relasi.conversations.models import Inbox
from relasi.core.audit import client_ip
from relasi.core.throttle import Limit

SEND_LIMIT = Limit("webchat_send", 20, 60)
IDENTIFY_LIMIT = Limit("webchat_identify", 5, 600)
READ_LIMIT = Limit("webchat_read", 120, 60)
ALLOW_HEADERS = "Content-Type, X-Relasi-Visitor, Last-Event-ID"

View = Callable[[HttpRequest, Inbox], HttpResponseBase]


def allowed_origins(inbox: Inbox) -> set[str]:
    """The inbox's allowed origins: a list, or the settings form's comma-separated text."""
    value = (inbox.config or {}).get("allowed_origins") or []
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    return {str(o).strip().rstrip("/").lower() for o in items if str(o).strip()}


def origin_allowed(request: HttpRequest, inbox: Inbox) -> bool:
    """No Origin header (not a cross-site browser request), Relasi's own origin, any origin
    when the inbox lists none, otherwise only the listed ones."""
    origin = request.headers.get("Origin", "").rstrip("/").lower()
    allowed = allowed_origins(inbox)
    if not origin or not allowed:
        return True
    return origin == f"{request.scheme}://{request.get_host()}".lower() or origin in allowed


def _cors(request: HttpRequest, inbox: Inbox, response: HttpResponseBase) -> HttpResponseBase:
    origin = request.headers.get("Origin", "")
    listed = allowed_origins(inbox)
    response["Access-Control-Allow-Origin"] = origin if (listed and origin) else "*"
    patch_vary_headers(response, ["Origin"])
    response["Cache-Control"] = "no-store"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # read by the embedding site
    return response


def widget_endpoint(methods: tuple[str, ...], limit: Limit) -> Callable[[View], Any]:
    def decorate(view: View) -> Any:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, key: str) -> HttpResponseBase:
            inbox = webchat.inbox_for_key(key)
            if inbox is None:
                raise Http404
            if not origin_allowed(request, inbox):
                return JsonResponse({"error": _("This site may not use the chat.")}, status=403)
            if request.method == "OPTIONS":  # the CORS preflight
                response: HttpResponseBase = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
                response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
                response["Access-Control-Max-Age"] = "600"
                return _cors(request, inbox, response)
            if request.method not in methods:
                return _cors(request, inbox, HttpResponse(status=405))
            if not limit.reserve(f"{inbox.pk}:{client_ip(request)}"):
                busy = JsonResponse({"error": _("Too many requests; wait a minute.")}, status=429)
                return _cors(request, inbox, busy)
            try:
                response = view(request, inbox)
            except ValidationError as exc:
                response = JsonResponse({"error": " ".join(exc.messages)}, status=400)
            return _cors(request, inbox, response)

        return wrapper

    return decorate


def _token(request: HttpRequest) -> str:
    return request.headers.get("X-Relasi-Visitor", "")


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > 16_384:
        raise ValidationError(_("The message is too long."))
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise ValidationError(_("The request is not valid.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("The request is not valid."))
    return {k: str(v) if v is not None else "" for k, v in data.items()}


def _after(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    return int(raw) if raw.isdigit() else 0


@widget_endpoint(("GET", "POST"), READ_LIMIT)
def messages(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """GET: the messages after ?after=<id>, whether someone answers now and whether the visitor
    left their details. POST {"body", "name"}: the visitor writes (the first starts the chat)."""
    token = _token(request)
    if request.method == "POST":
        if not SEND_LIMIT.reserve(f"{inbox.pk}:{client_ip(request)}"):
            return JsonResponse({"error": _("Too many messages; wait a minute.")}, status=429)
        data = _body(request)
        message, offline = webchat.send(inbox, token, data.get("body", ""), data.get("name", ""))
        body = {"message": webchat.as_json(message, inbox), "offline": offline}
        return JsonResponse(body, status=201)
    conv = webchat.conversation_of(inbox, token)
    return JsonResponse(
        {
            "messages": webchat.messages_since(inbox, token, _after(request)),
            "open": webchat.is_open(),
            "identified": bool(conv and (conv.customer_id or conv.lead_id)),
            "name": inbox.name,
        }
    )


@widget_endpoint(("POST",), IDENTIFY_LIMIT)
def identify(request: HttpRequest, inbox: Inbox) -> HttpResponse:
    """POST {"name", "email", "phone"}: the visitor says who they are (after a first message)."""
    conv = webchat.conversation_of(inbox, _token(request))
    if conv is None:
        raise ValidationError(_("Write a message first."))
    data = _body(request)
    webchat.identify_visitor(
        conv, data.get("name", ""), data.get("email", ""), data.get("phone", "")
    )
    return JsonResponse({"identified": True})


@widget_endpoint(("GET",), READ_LIMIT)
def events(request: HttpRequest, inbox: Inbox) -> HttpResponseBase:
    """The Server-Sent Events stream of the visitor's new messages (see conversations.stream)."""
    vid = webchat.visitor_id(_token(request))
    conv = webchat.conversation_of(inbox, _token(request))
    response = StreamingHttpResponse(
        stream.events(
            conv.pk if conv else None,
            lambda after: webchat.visible_messages(inbox, vid, after),
            _after(request),
        ),
        content_type="text/event-stream; charset=utf-8",
    )
    response["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response


@login_required
@require_safe
def demo(request: HttpRequest) -> HttpResponse:
    """A plain page embedding the first web-chat inbox's widget, as a customer's site would."""
    user: Any = request.user
    if not (user.is_staff or getattr(user, "is_administrator", False)):
        raise PermissionDenied
    inbox = Inbox.objects.filter(kind=ChannelKind.WEBCHAT, active=True).order_by("pk").first()
    return render(request, "conversations/widget_demo.html", {"inbox": inbox})
