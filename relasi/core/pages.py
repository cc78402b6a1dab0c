"""The shell's own pages: home, global search, job progress, audit trail, the read log of
sensitive fields, health, errors."""

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from relasi.core import history
from relasi.core import search as search_registry
from relasi.core.choices import AuditAction, ReadChannel
from relasi.core.forms import CustomFieldForm
from relasi.core.models import AuditEvent, CustomField, Job, SensitiveRead
from relasi.core.pagination import paginate
from relasi.core.throttle import Limit
from relasi.core.views import require
from relasi.core.viewsets import Column, RecordViewSet

SEARCH_LIMIT = Limit("search", 120, 60)
_ID = re.compile(r"[^A-Za-z0-9_-]")


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    from relasi.core.dashboard import panels, widgets

    context = {"widgets": widgets(request.user), "panels": panels(request.user)}
    return render(request, "core/home.html", context)


@login_required
@require_GET
def global_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    # htmx answers become the options of the listbox they land in; their ids start with its id.
    prefix = _ID.sub("", request.headers.get("HX-Target", ""))[:40] if request.htmx else ""  # type: ignore[attr-defined]
    ident = str(request.user.pk)
    if SEARCH_LIMIT.blocked_for(ident):
        response = render(
            request,
            "core/search_results.html",
            {"throttled": True, "q": query, "prefix": prefix},
            status=429,
        )
        response["Retry-After"] = str(SEARCH_LIMIT.blocked_for(ident))
        return response
    SEARCH_LIMIT.hit(ident)
    results = search_registry.search(request.user, query)
    groups: dict[str, list[Any]] = {}
    for result in results:
        groups.setdefault(result.group, []).append(result)
    template = "core/search_results.html" if request.htmx else "core/search_page.html"  # type: ignore[attr-defined]
    return render(request, template, {"q": query, "groups": groups, "prefix": prefix})


@login_required
@require_safe
def job_status(request: HttpRequest, pk: str) -> HttpResponse:
    job = Job.objects.filter(pk=pk).first()
    if job is None or (
        job.owner_id != request.user.pk and not request.user.has_module_perm("admin", "view")
    ):  # type: ignore[union-attr]
        raise Http404
    template = "core/job_progress.html" if request.htmx else "core/job_page.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@login_required
@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    require(request, "admin", "view")
    queryset = AuditEvent.objects.select_related("actor", "content_type")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        queryset = queryset.filter(action=action)
    if actor := request.GET.get("actor", "").strip():
        queryset = queryset.filter(actor_label__icontains=actor)
    page = paginate(
        queryset, order="-pk", after=request.GET.get("after"), before=request.GET.get("before")
    )
    # The same readable changes as a record's history panel: labels, rupiah, local dates.
    zone = history.reader_zone(request.user)
    for ev in page.items:
        model = ev.content_type.model_class() if ev.content_type else None
        ev.readable_changes = history.describe(model, ev.changes, zone) if model else []
    return render(
        request,
        "core/audit_list.html",
        {"page": page, "actions": AuditAction.choices, "action": action, "actor": actor},
    )


@login_required
@require_GET
def sensitive_reads(request: HttpRequest) -> HttpResponse:
    """The read log of sensitive fields (core/crypto.py), for administrators and whoever manages
    the privacy module: who read which field of which record, when and through what."""
    require(request, "privacy", "change")
    queryset = SensitiveRead.objects.select_related("content_type")
    filters = {
        k: request.GET.get(k, "").strip()[:100] for k in ("user", "record", "field", "channel")
    }
    if filters["user"]:
        queryset = queryset.filter(user_label__icontains=filters["user"])
    if filters["record"]:
        # "#12" or "12": that record's id; anything else: the record's name as logged.
        number = filters["record"].lstrip("#")
        queryset = (
            queryset.filter(object_id=number)
            if number.isdigit()
            else queryset.filter(object_repr__icontains=filters["record"])
        )
    if filters["field"]:
        queryset = queryset.filter(field_name=filters["field"])
    if filters["channel"] in ReadChannel.values:
        queryset = queryset.filter(channel=filters["channel"])
    page = paginate(
        queryset, order="-pk", after=request.GET.get("after"), before=request.GET.get("before")
    )
    from urllib.parse import urlencode

    from relasi.core import crypto

    labels = {e.field_name: e.label for e in crypto.registered()}
    for row in page.items:
        row.field_label = labels.get(row.field_name, row.field_name)
    return render(
        request,
        "core/sensitive_reads.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "channels": ReadChannel.choices,
            "fields": sorted(labels.items()),
        },
    )


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness + database check for load balancers (no personal data)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "degraded"}, status=503)


class CustomFieldViewSet(RecordViewSet):
    model = CustomField
    module = "admin"
    url_name = "customfield"
    form_class = CustomFieldForm
    scoped = False
    default_order = "model_label"
    columns = [
        Column("label", _("Label"), link=True, order="label"),
        Column("model_label", _("Record type"), order="model_label"),
        Column("key", _("Key"), order="key"),
        Column("field_type", _("Type"), accessor="get_field_type_display"),
        Column("required", _("Required")),
        Column("active", _("Active")),
    ]
    detail_fields = [
        "model_label",
        "key",
        "label",
        "label_id",
        "field_type",
        "choices",
        "required",
        "help_text",
        "order",
        "active",
    ]
    bulk_actions: list = []

    def form_data(self, form: Any) -> tuple[dict[str, Any], Any]:
        data, tags = super().form_data(form)
        data["choices"] = form.instance.choices
        data.pop("choices_text", None)
        return data, tags


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("You do not have permission to do this."))


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("We could not find that page."))


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Something went wrong on our side. The team has been told."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        _("Your form expired or came from another site. Go back, reload and try again."),
    )


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"status": status, "message": message}}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)
