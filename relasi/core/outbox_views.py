"""The outbox page for administrators: every e-mail Relasi sent or tried to send, its status
and the server's last answer, with "Send again" for failed ones. Message bodies are never
shown (a password-reset link is a credential)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from relasi.core import mail
from relasi.core.choices import EmailStatus
from relasi.core.models import OutboundEmail
from relasi.core.pagination import paginate
from relasi.core.views import require


@login_required
@require_safe
def outbox_list(request: HttpRequest) -> HttpResponse:
    require(request, "admin", "change")
    queryset = OutboundEmail.objects.defer("message")
    status = request.GET.get("status", "")
    if status in EmailStatus.values:
        queryset = queryset.filter(status=status)
    page = paginate(
        queryset, order="-pk", after=request.GET.get("after"), before=request.GET.get("before")
    )
    counts = {
        s: OutboundEmail.objects.filter(status=s).count()
        for s in (EmailStatus.QUEUED, EmailStatus.FAILED)
    }
    return render(
        request,
        "core/outbox_list.html",
        {"page": page, "statuses": EmailStatus.choices, "status": status, "counts": counts},
    )


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "admin", "change")
    row = OutboundEmail.objects.filter(pk=pk, status=EmailStatus.FAILED).first()
    if row is None:
        raise Http404
    mail.retry(row)
    messages.success(request, _("The e-mail is queued to be sent again."))
    return redirect("core:outbox")
