"""The inbox: the conversation list (filters, keyset pages), a conversation with its thread,
reply and note boxes and the customer beside it, and the agent's actions. Every fetch goes
through the access layer; every write through conversations.actions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from relasi.conversations import actions, sla
from relasi.conversations.choices import Direction
from relasi.conversations.filtersets import ConversationFilterSet
from relasi.conversations.forms import AssignForm, LinkCustomerForm, NoteForm, ReplyForm, StatusForm
from relasi.conversations.models import Conversation, MessageAttachment
from relasi.core import records
from relasi.core.access import get_for_user, visible_to
from relasi.core.htmx import is_htmx, template_for
from relasi.core.pagination import paginate
from relasi.core.views import require

PAGE = 30


def _conversations(user: Any) -> Any:
    return visible_to(
        user, Conversation.objects.select_related("inbox", "owner", "customer", "team")
    )


def _get(request: HttpRequest, pk: int) -> Conversation:
    return get_for_user(request.user, _conversations(request.user), pk=pk)


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    require(request, "conversations", "view")
    fs = ConversationFilterSet(
        request.GET, queryset=_conversations(request.user), user=request.user
    )
    qs = fs.qs if fs.is_valid() else Conversation.objects.none()
    page = paginate(
        qs,
        order="-last_message_at",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        limit=PAGE,
    )
    now = timezone.now()
    rows = [(c, sla.state(c, now)) for c in page.items]
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {"filter": fs, "rows": rows, "page": page, "query": query.urlencode()}
    return render(request, template_for(request, "conversations/inbox.html", "rows"), context)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "view")
    conv = _get(request, pk)
    since = request.GET.get("since", "")
    if is_htmx(request) and since.isdigit():
        # The thread polls: nothing new is 204 (htmx swaps nothing), else the fresh thread.
        if not conv.messages.filter(pk__gt=int(since)).exists():
            return HttpResponse(status=204)
        thread = _thread(conv)
        ctx = {"conv": conv, "thread": thread, "last_id": _last(thread), "Direction": Direction}
        return render(request, "conversations/detail.html#thread", ctx)
    return render(request, "conversations/detail.html", _detail_context(request, conv))


def _last(thread: list[Any]) -> int:
    return max((m.pk for m in thread), default=0)


def _thread(conv: Conversation) -> list[Any]:
    return list(
        conv.messages.select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def _detail_context(request: HttpRequest, conv: Conversation, **forms: Any) -> dict[str, Any]:
    allowed, reason = actions.may_reply(conv)
    thread = _thread(conv)
    return {
        "conv": conv,
        "thread": thread,
        "last_id": _last(thread),
        "may_reply": allowed,
        "reply_blocked": reason,
        "wa_templates": _templates(conv) if not allowed else [],
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"version": conv.version}),
        "note_form": forms.get("note_form") or NoteForm(),
        "assign_form": AssignForm(initial={"owner": conv.owner_id, "version": conv.version}),
        "status_form": StatusForm(initial={"status": conv.status, "version": conv.version}),
        "link_form": LinkCustomerForm(),
        "side": _side(request, conv),
        "canned_replies": _canned_replies(),
        "sla": sla.state(conv, timezone.now()),
        "Direction": Direction,
    }


def _templates(conv: Conversation) -> list[dict[str, Any]]:
    from relasi.conversations.adapters import whatsapp

    return whatsapp.reply_templates(conv.inbox) if conv.channel == "whatsapp" else []


def _template_from(request: HttpRequest, conv: Conversation) -> dict[str, Any]:
    """The template the agent picked, checked against the inbox's approved list."""
    chosen = request.POST.get("template", "")
    for t in _templates(conv):
        if chosen == f"{t['name']}|{t['language']}":
            params = [
                line.strip()[:1024]
                for line in request.POST.get("params", "").splitlines()
                if line.strip()
            ]
            if len(params) != t["params"]:
                raise ValidationError(
                    _("This template needs %(n)s value(s), one per line.") % {"n": t["params"]}
                )
            return {"name": t["name"], "language": t["language"], "params": params}
    raise ValidationError(_("Choose one of the inbox's approved templates."))


def _canned_replies() -> list[Any]:
    from relasi.service.models import CannedReply

    return list(CannedReply.objects.filter(active=True).order_by("title"))


@login_required
@require_safe
def canned_text(request: HttpRequest, pk: int, canned_pk: int) -> HttpResponse:
    """A canned reply of the service app filled in for this conversation (plain text)."""
    from types import SimpleNamespace

    from relasi.service import canned
    from relasi.service.models import CannedReply

    require(request, "conversations", "view")
    conv = _get(request, pk)
    found = CannedReply.objects.filter(active=True, pk=canned_pk).first()
    if found is None:
        raise Http404
    who = conv.customer or SimpleNamespace(
        name=conv.contact_name or conv.contact_address, first_name=""
    )
    subject = SimpleNamespace(customer=who, number="", subject=conv.subject)
    text = canned.render(found.body, subject, request.user)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _side(request: HttpRequest, conv: Conversation) -> dict[str, Any]:
    """What the agent sees beside the thread: the customer's recent orders, open tickets,
    consents and segment (each only with the permission for it)."""
    customer = conv.customer
    user = request.user
    if customer is None:
        return {}
    out: dict[str, Any] = {"customer": customer}
    if user.has_module_perm("commerce", "view"):  # type: ignore[union-attr]
        from relasi.commerce.models import Order

        out["orders"] = list(
            visible_to(user, Order.objects.filter(customer=customer)).order_by("-ordered_at")[:5]
        )
    if user.has_module_perm("service", "view"):  # type: ignore[union-attr]
        from relasi.service.models import Ticket

        out["tickets"] = list(
            visible_to(user, Ticket.objects.active().filter(customer=customer)).order_by("-pk")[:5]  # type: ignore[attr-defined]
        )
    try:
        from relasi.analytics.insights_hooks import customer_scores

        out["segment"] = customer_scores(customer).get("segment", "")
    except Exception:  # the mart is not built yet: no segment to show
        out["segment"] = ""
    return out


def _back(conv: Conversation) -> HttpResponse:
    return redirect(conv.get_absolute_url())


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "change")
    conv = _get(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        files = request.FILES.getlist("files")
        try:
            template = _template_from(request, conv) if "template" in request.POST else None
            actions.reply(
                request.user,
                conv,
                form.cleaned_data["body"],
                files=files,
                template=template,
                expected_version=form.cleaned_data.get("version"),
            )
        except records.ConflictError as exc:
            exc.ensure_recorded()
            messages.error(request, str(exc))
            return _back(conv)
        except ValidationError as exc:
            for text in exc.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("Reply sent."))
            return _back(conv)
    ctx = _detail_context(request, conv, reply_form=form)
    return render(request, "conversations/detail.html", ctx, status=400)


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "change")
    conv = _get(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        ctx = _detail_context(request, conv, note_form=form)
        return render(request, "conversations/detail.html", ctx, status=400)
    actions.add_note(request.user, conv, form.cleaned_data["body"])
    return _back(conv)


def _run(request: HttpRequest, conv: Conversation, fn: Any, done: str) -> HttpResponse:
    try:
        fn()
    except records.ConflictError as exc:
        exc.ensure_recorded()
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return _back(conv)


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "change")
    conv = _get(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose someone to assign the conversation to."))
        return _back(conv)
    d = form.cleaned_data
    return _run(
        request,
        conv,
        lambda: actions.assign(request.user, conv, d["owner"], expected_version=d.get("version")),
        _("Conversation assigned."),
    )


@login_required
@require_POST
def status(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "change")
    conv = _get(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return _back(conv)
    d = form.cleaned_data
    return _run(
        request,
        conv,
        lambda: actions.set_status(
            request.user,
            conv,
            d["status"],
            snooze_until=d.get("snooze_until"),
            expected_version=d.get("version"),
        ),
        _("Status changed."),
    )


@login_required
@require_POST
def make_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "change")
    require(request, "service", "add")
    conv = _get(request, pk)
    try:
        ticket = actions.create_ticket(request.user, conv)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(conv)
    messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
    return _back(conv)


@login_required
@require_POST
def make_lead(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "conversations", "change")
    require(request, "sales", "add")
    conv = _get(request, pk)
    return _run(request, conv, lambda: actions.create_lead(request.user, conv), _("Lead created."))


@login_required
@require_POST
def link_customer(request: HttpRequest, pk: int) -> HttpResponse:
    from relasi.customers.models import Customer

    require(request, "conversations", "change")
    conv = _get(request, pk)
    form = LinkCustomerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a customer."))
        return _back(conv)
    customer = get_for_user(
        request.user, Customer.objects.all(), pk=form.cleaned_data["customer_id"]
    )
    return _run(
        request,
        conv,
        lambda: actions.link_customer(request.user, conv, customer),
        _("Conversation linked to %(name)s.") % {"name": customer},
    )


@login_required
@require_safe
def customer_picker(request: HttpRequest) -> HttpResponse:
    """Customer search for linking a conversation (the customers app's own search)."""
    from relasi.customers.search import search_customers

    require(request, "conversations", "change")
    query = request.GET.get("q", "")
    hits = search_customers(request.user, query, limit=8) if len(query.strip()) >= 2 else []
    return render(request, "service/_customer_picker.html", {"hits": hits, "q": query})


@login_required
@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    require(request, "conversations", "view")
    qs = visible_to(request.user, MessageAttachment.objects.select_related("message"))
    found = qs.filter(pk=pk).first()
    if found is None or not found.file:
        raise Http404
    inline = found.content_type.startswith("image/") and found.content_type != "image/svg+xml"
    return FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.name,
        content_type=found.content_type if inline else "application/octet-stream",
    )
