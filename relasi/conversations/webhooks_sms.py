"""The SMS gateway's webhooks: an inbound text and a delivery report, per inbox.

    POST /conversations/hooks/sms/<widget_key>/          inbound message
    POST /conversations/hooks/sms/<widget_key>/status/   delivery report (StatusCallback)

Public and csrf_exempt: the gateway has no session or CSRF token. The inbox's gateway checks
the request's signature (Twilio: X-Twilio-Signature with the auth token) before anything is
read; a bad one is a 403 and a security event. Replays are harmless: an inbound message is
stored once by the gateway's id, a delivery report only moves a message forward."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from relasi.conversations import channels
from relasi.conversations.adapters import sms
from relasi.conversations.choices import ChannelKind
from relasi.conversations.models import Inbox
from relasi.core import audit


def _checked(request: HttpRequest, key: str) -> tuple[Inbox, sms.Gateway] | HttpResponse:
    inbox = Inbox.objects.filter(widget_key=key, kind=ChannelKind.SMS, active=True).first()
    if inbox is None:
        raise Http404
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    try:
        gateway = sms.gateway_for(inbox)
    except channels.ChannelNotConfigured as exc:
        raise Http404 from exc
    if not gateway.verify(inbox, request):
        audit.security_event("conversations.sms.bad_signature", request, inbox=inbox.pk)
        return HttpResponse(status=403)
    return inbox, gateway


@csrf_exempt
@never_cache
def inbound(request: HttpRequest, key: str) -> HttpResponse:
    checked = _checked(request, key)
    if isinstance(checked, HttpResponse):
        return checked
    inbox, gateway = checked
    message = gateway.parse_inbound(inbox, request)
    if message is not None:
        sms.receive(inbox, message)
    return gateway.ack()


@csrf_exempt
@never_cache
def status(request: HttpRequest, key: str) -> HttpResponse:
    checked = _checked(request, key)
    if isinstance(checked, HttpResponse):
        return checked
    inbox, gateway = checked
    report = gateway.parse_status(inbox, request)
    if report is not None:
        sms.apply_status(inbox, report)
    return gateway.ack()
