"""The small POST actions on a ticket page (reply, status, assign, merge, split, links, files,
scripts, complaint fields, FCR) and two htmx helpers (customer picker, canned reply / article
text for the reply box). Each authorises, validates, calls one action and redirects."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from relasi.core import links
from relasi.core.access import get_for_user
from relasi.core.records import ConflictError
from relasi.core.views import require
from relasi.service import actions, canned, search
from relasi.service.forms import (
    AssignForm,
    ComplaintForm,
    CustomerMessageForm,
    FcrForm,
    LinkForm,
    NumbersForm,
    ReplyForm,
    ScriptAnswerForm,
    SplitForm,
    StatusForm,
)
from relasi.service.models import (
    CannedReply,
    DialogueScript,
    ScriptRun,
    Ticket,
    TicketAttachment,
    TicketLink,
)


def _ticket(request: HttpRequest, pk: int, action: str = "change") -> Ticket:
    require(request, "service", action)
    return get_for_user(
        request.user,
        Ticket.objects.select_related("customer", "ticket_type", "sla_policy", "queue"),
        pk=pk,
    )


def _back(ticket: Ticket, anchor: str = "") -> HttpResponse:
    return redirect(ticket.get_absolute_url() + anchor)


def _version(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _run(
    request: HttpRequest, ticket: Ticket, fn: Callable[[], Any], ok: str, anchor: str = ""
) -> HttpResponse:
    try:
        fn()
    except ConflictError as conflict:
        conflict.ensure_recorded()
        messages.error(request, str(ConflictError.message))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, ok)
    return _back(ticket, anchor)


def _form_errors(request: HttpRequest, ticket: Ticket, form: Any) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return _back(ticket)


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    d = form.cleaned_data
    uploads = [d["attachment"]] if d.get("attachment") else []
    if d["kind"] == "note":
        return _run(
            request,
            ticket,
            lambda: actions.add_note(request.user, ticket, d["body"], uploads=uploads),
            _("Note added."),
            "#conversation",
        )
    return _run(
        request,
        ticket,
        lambda: actions.add_reply(
            request.user, ticket, d["body"], send_email=d["send_email"], uploads=uploads
        ),
        _("Reply sent.") if d["send_email"] else _("Reply recorded."),
        "#conversation",
    )


@login_required
@require_POST
def customer_message(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = CustomerMessageForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: actions.add_customer_message(ticket, form.cleaned_data["body"], actor=request.user),
        _("Customer message recorded."),
        "#conversation",
    )


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = StatusForm(request.POST, ticket=ticket)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: actions.change_status(
            request.user,
            ticket,
            form.cleaned_data["status"],
            expected_version=_version(form.cleaned_data.get("version")),
        ),
        _("Status changed."),
    )


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    if request.POST.get("me") == "1":
        return _run(
            request,
            ticket,
            lambda: actions.assign(request.user, ticket, request.user),
            _("Assigned to you."),
        )
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    d = form.cleaned_data
    return _run(
        request,
        ticket,
        lambda: actions.assign(
            request.user,
            ticket,
            d["owner"],
            queue=d["queue"],
            expected_version=_version(d.get("version")),
        ),
        _("Assignment saved."),
    )


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = NumbersForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, ticket, form)

    def run() -> None:
        actions.merge_tickets(request.user, ticket, form.tickets(request.user))

    return _run(request, ticket, run, _("Tickets merged into this one."))


@login_required
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = SplitForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("message") if i.isdigit()]
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    try:
        new = actions.split_ticket(request.user, ticket, ids, form.cleaned_data["subject"])
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return _back(ticket)
    messages.success(request, _("Split off into %(t)s.") % {"t": new.number})
    return _back(new)


@login_required
@require_POST
def relate(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = NumbersForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, ticket, form)

    def run() -> None:
        for other in form.tickets(request.user):
            actions.relate(request.user, ticket, other)

    return _run(request, ticket, run, _("Related tickets saved."))


@login_required
@require_POST
def unrelate(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    other = get_for_user(request.user, Ticket.objects.all(), pk=other_pk)
    return _run(
        request,
        ticket,
        lambda: actions.unrelate(request.user, ticket, other),
        _("No longer related."),
    )


@login_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    types = actions.linkable_types()
    form = LinkForm(request.POST, types=types)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    ct = ContentType.objects.get(pk=int(form.cleaned_data["content_type"]))
    return _run(
        request,
        ticket,
        lambda: actions.link_record(request.user, ticket, ct, form.cleaned_data["object_id"]),
        _("Record linked."),
    )


@login_required
@require_POST
def unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    found = get_for_user(request.user, TicketLink.objects.filter(ticket=ticket), pk=link_pk)
    return _run(
        request, ticket, lambda: actions.unlink_record(request.user, found), _("Link removed.")
    )


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, _("Choose a file."))
        return _back(ticket)
    public = request.POST.get("public") == "1"
    return _run(
        request,
        ticket,
        lambda: actions.add_attachment(request.user, ticket, file, public=public),
        _("File attached."),
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    require(request, "service", "view")
    attachment = get_for_user(request.user, TicketAttachment.objects.all(), pk=pk)
    return file_response(attachment)


def file_response(attachment: TicketAttachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delete_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "service", "change")
    attachment = get_for_user(
        request.user, TicketAttachment.objects.select_related("ticket"), pk=pk
    )
    actions.delete_attachment(request.user, attachment)
    messages.success(request, _("File deleted."))
    return _back(attachment.ticket)


@login_required
@require_POST
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = ComplaintForm(request.POST, instance=Ticket(pk=ticket.pk))
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    return _run(
        request,
        ticket,
        lambda: actions.update_complaint(
            request.user,
            ticket,
            form.cleaned_data,
            expected_version=_version(request.POST.get("version")),
        ),
        _("Complaint details saved."),
    )


@login_required
@require_POST
def fcr(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    form = FcrForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    value = {"auto": None, "yes": True, "no": False}[form.cleaned_data["value"]]
    return _run(
        request,
        ticket,
        lambda: actions.set_fcr(request.user, ticket, value),
        _("First-contact resolution saved."),
    )


@login_required
@require_POST
def script_start(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    raw = request.POST.get("script", "")
    script = DialogueScript.objects.filter(active=True, pk=int(raw) if raw.isdigit() else 0).first()
    if script is None:
        messages.error(request, _("Choose a script."))
        return _back(ticket)
    return _run(
        request,
        ticket,
        lambda: actions.start_script(request.user, ticket, script),
        _("Script started."),
        "#script",
    )


@login_required
@require_POST
def script_answer(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    run = get_for_user(request.user, ScriptRun.objects.filter(ticket=ticket), pk=run_pk)
    form = ScriptAnswerForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, ticket, form)
    try:
        run = actions.answer_script(
            request.user, run, form.cleaned_data["option"], form.cleaned_data["note"]
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "service/_script_run.html", {"run": run, "object": ticket, "can_change": True}
        )
    return _back(ticket, "#script")


@login_required
@require_GET
def canned_text(request: HttpRequest, pk: int, canned_pk: int) -> HttpResponse:
    """The canned reply filled in for this ticket, as plain text for the reply box."""
    ticket = _ticket(request, pk, "view")
    reply_ = CannedReply.objects.filter(active=True, pk=canned_pk).first()  # no owner: shared
    if reply_ is None:
        raise Http404
    return HttpResponse(
        canned.render(reply_.body, ticket, request.user), content_type="text/plain; charset=utf-8"
    )


@login_required
@require_GET
def article_picker(request: HttpRequest) -> HttpResponse:
    """Knowledge-base search for the reply box: each hit offers its link to insert."""
    require(request, "service", "view")
    query = request.GET.get("q", "")
    articles = (
        search.search_articles(query, public_only=False, limit=8) if len(query.strip()) >= 2 else []
    )
    site = links.site_url()
    return render(
        request, "service/_article_picker.html", {"articles": articles, "q": query, "site": site}
    )


@login_required
@require_GET
def customer_picker(request: HttpRequest) -> HttpResponse:
    """Customer search for the new-ticket form (the customers app's own search)."""
    require(request, "service", "add")
    from relasi.customers.search import search_customers

    query = request.GET.get("q", "")
    hits = search_customers(request.user, query, limit=8) if len(query.strip()) >= 2 else []
    return render(request, "service/_customer_picker.html", {"hits": hits, "q": query})
