"""The import wizard: upload → preview and mapping → duplicates → dry run → run → result.
Thin views: authorise, fetch through the access layer, call one action, render."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from relasi.core import csvutil
from relasi.core.access import get_for_user, visible_to
from relasi.core.pagination import paginate
from relasi.integrations import actions, reports, targets
from relasi.integrations.choices import DuplicatePolicy, InvalidPhonePolicy, RowReportKind
from relasi.integrations.models import ImportJob, SavedMapping


def _may_import(user: Any) -> bool:
    return bool(targets.choices(user))


def _require(request: HttpRequest) -> None:
    if not _may_import(request.user):
        raise PermissionDenied


def _job(request: HttpRequest, pk: int) -> ImportJob:
    _require(request)
    return get_for_user(request.user, ImportJob.objects.select_related("owner", "job"), pk=pk)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    qs = visible_to(request.user, ImportJob.objects.select_related("owner"))
    page = paginate(
        qs, order="-pk", after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(request, "integrations/import_list.html", {"page": page})


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    _require(request)
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose a file to upload."))
            job = actions.create_import(request.user, upload, request.POST.get("target", ""))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            status = 400
        else:
            return redirect(job.get_absolute_url())
    context = {
        "targets": targets.choices(request.user),
        "max_mb": actions.uploads.settings.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "integrations/import_new.html", context, status=status)


def _detail_context(
    request: HttpRequest, job: ImportJob, posted: dict[str, str] | None = None
) -> dict[str, Any]:
    """`posted`: the mapping the user just submitted, shown again when it was refused."""
    target = targets.get(job.target)
    fields = target.fields() if target else []
    chosen = job.mapping if posted is None else posted
    preview = job.dry_run_result.get("preview", [])
    columns = [
        {"index": str(i), "header": h, "field": chosen.get(str(i), ""),
         "samples": [r[i] for r in preview[:3] if i < len(r)]}
        for i, h in enumerate(job.headers)
    ]  # fmt: skip
    finished = job.status in ("done", "undone", "failed")
    checked = job.status == "checked"
    return {
        "job": job,
        "target": target,
        "fields": fields,
        "columns": columns,
        "policies": DuplicatePolicy.choices,
        "phone_policies": InvalidPhonePolicy.choices,
        "has_company": any(f.key == "company" for f in fields),
        "saved_mappings": SavedMapping.objects.filter(owner_id=request.user.pk, target=job.target),
        "row_errors": reports.listed(request.user, job, RowReportKind.REJECTED) if finished else [],
        "row_warnings": reports.listed(request.user, job, RowReportKind.WARNING)
        if finished
        else [],
        "row_duplicates": reports.listed(request.user, job, RowReportKind.DUPLICATE)
        if finished
        else [],
        "dry_warnings": reports.dry_run_listed(request.user, job, "warnings") if checked else [],
        "dry_duplicates": reports.dry_run_listed(request.user, job, "duplicates")
        if checked
        else [],
        "editable": job.status in actions.EDITABLE,
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if request.method == "POST":
        return _post_mapping(request, job)
    template = "integrations/import_detail.html"
    if getattr(request, "htmx", False) and request.GET.get("part") == "status":
        template += "#status"
    return render(request, template, _detail_context(request, job))


def _post_mapping(request: HttpRequest, job: ImportJob) -> HttpResponse:
    mapping = {
        key[4:]: str(value)
        for key, value in request.POST.items()
        if key.startswith("col_") and value
    }
    try:
        if saved_id := request.POST.get("load_mapping"):
            saved = SavedMapping.objects.filter(owner_id=request.user.pk, pk=saved_id).first()
            if saved is None:
                raise ValidationError(_("That mapping no longer exists."))
            actions.load_mapping(request.user, job, saved)
            messages.success(request, _("Mapping loaded."))
            return redirect(job.get_absolute_url())
        actions.set_mapping(
            request.user,
            job,
            mapping,
            request.POST.get("policy"),
            request.POST.get("fuzzy") == "1",
            invalid_phones=request.POST.get("invalid_phones"),
            create_organisations=request.POST.get("create_organisations") == "1"
            if "company" in mapping.values()
            else None,
        )
        if name := request.POST.get("save_as", "").strip():
            actions.save_mapping(request.user, job.target, name, actions.mapping_by_header(job))
            messages.success(request, _("Mapping saved as %(name)s.") % {"name": name})
        step = request.POST.get("step")
        if step == "dry_run":
            actions.start_dry_run(request.user, job)
        elif step == "run":
            actions.start_import(request.user, job)
        else:
            messages.success(request, _("Mapping saved."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        job.refresh_from_db()
        _keep_posted_options(request, job)
        return render(
            request,
            "integrations/import_detail.html",
            _detail_context(
                request, job, posted=None if "load_mapping" in request.POST else mapping
            ),
            status=400,
        )
    return redirect(job.get_absolute_url())


def _keep_posted_options(request: HttpRequest, job: ImportJob) -> None:
    """Show the options the user submitted, not the stored ones, on a refused submit (the
    job object is only rendered, never saved here)."""
    if request.POST.get("policy") in DuplicatePolicy.values:
        job.policy = request.POST["policy"]
    if request.POST.get("invalid_phones") in InvalidPhonePolicy.values:
        job.invalid_phones = request.POST["invalid_phones"]
    job.fuzzy = request.POST.get("fuzzy") == "1"
    if "policy" in request.POST:  # the mapping form was submitted (not "load a mapping")
        job.create_organisations = request.POST.get("create_organisations") == "1"


@login_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        stats = actions.undo_import(request.user, job)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(job.get_absolute_url())
    messages.success(
        request,
        _("Import undone: %(deleted)s records removed, %(reverted)s restored.") % stats,
    )
    return redirect(job.get_absolute_url())


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every rejected, warned and duplicate row: the file's columns, then REPORT_COLUMNS."""
    job = _job(request, pk)
    header = [*job.headers, *reports.REPORT_COLUMNS]
    response = StreamingHttpResponse(
        csvutil.stream_rows(header, reports.csv_rows(request, job)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


def mapping_json(job: ImportJob) -> str:
    return json.dumps(job.mapping)
