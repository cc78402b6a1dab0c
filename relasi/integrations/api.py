"""Imports over the API: upload (multipart), mapping and duplicate policy, dry run, start,
status with progress and rejected rows, undo. Same permissions as the wizard (the target's
module, action "import") and the same actions."""

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from relasi.core.access import get_for_user
from relasi.core.api import check
from relasi.core.typing import ApiRequest
from relasi.integrations import actions, reports, targets
from relasi.integrations.models import ImportJob

router = Router(tags=["imports"])


class ImportOut(Schema):
    id: int
    target: str
    original_name: str
    file_format: str
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str]
    policy: str
    fuzzy: bool
    status: str
    total: int
    created: int
    updated: int
    skipped: int
    rejected: int
    warnings: int
    invalid_phones: str
    create_organisations: bool
    rows_done: int
    percent: int
    dry_run_result: dict[str, Any]


class MappingIn(Schema):
    mapping: dict[str, str]
    policy: str | None = None
    fuzzy: bool | None = None
    invalid_phones: str | None = None  # "keep" (flagged as invalid) or "drop"
    create_organisations: bool | None = None


class RowErrorOut(Schema):
    line: int
    kind: str  # rejected, warning, duplicate
    reason: str
    raw: list[Any]
    object_id: int | None = None  # the record written or matched, when you may see it
    url: str = ""


def _out(job: ImportJob) -> dict[str, Any]:
    percent = (
        100 if job.status == "done" else (job.rows_done * 100 // job.total if job.total else 0)
    )
    data = {f: getattr(job, f) for f in ImportOut.model_fields if hasattr(job, f)}
    return {**data, "percent": percent}


def _job(request: ApiRequest, pk: int) -> ImportJob:
    user = request.auth
    if not targets.choices(user):
        raise HttpError(403, "You do not have permission for this.")
    job = get_for_user(user, ImportJob.objects.all(), pk=pk)
    target = targets.get(job.target)
    if target is not None:
        check(request, target.module, target.permission)
    return job


def _call(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except PermissionDenied as exc:
        raise HttpError(403, "You do not have permission for this.") from exc
    except DjangoValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from exc


@router.post("/imports", response={201: ImportOut})
def create_import(request: ApiRequest, target: Form[str], file: File[UploadedFile]) -> Any:
    found = targets.get(target)
    if found is None:
        raise HttpError(400, "Unknown record type.")
    check(request, found.module, found.permission)
    return Status(201, _out(_call(actions.create_import, request.auth, file, target)))


@router.get("/imports/{import_id}", response=ImportOut)
def get_import(request: ApiRequest, import_id: int) -> Any:
    return _out(_job(request, import_id))


@router.put("/imports/{import_id}/mapping", response=ImportOut)
def set_mapping(request: ApiRequest, import_id: int, body: MappingIn) -> Any:
    job = _job(request, import_id)
    return _out(
        _call(
            lambda: actions.set_mapping(
                request.auth,
                job,
                body.mapping,
                body.policy,
                body.fuzzy,
                invalid_phones=body.invalid_phones,
                create_organisations=body.create_organisations,
            )
        )
    )


@router.post("/imports/{import_id}/dry-run", response={202: ImportOut})
def dry_run(request: ApiRequest, import_id: int) -> Any:
    job = _job(request, import_id)
    _call(actions.start_dry_run, request.auth, job)
    job.refresh_from_db()
    return Status(202, _out(job))


@router.post("/imports/{import_id}/start", response={202: ImportOut})
def start(request: ApiRequest, import_id: int) -> Any:
    job = _job(request, import_id)
    _call(actions.start_import, request.auth, job)
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get("/imports/{import_id}/errors", response=list[RowErrorOut])
def errors(
    request: ApiRequest,
    import_id: int,
    offset: int = 0,
    limit: int = 100,
    kind: Literal["rejected", "warning", "duplicate", "all"] = "rejected",
) -> Any:
    """Rows the import reported on, by line: rejected (the default), warnings, duplicates."""
    job = _job(request, import_id)
    limit = max(1, min(limit, 1000))
    return reports.page(request.auth, job, kind, max(0, min(offset, 10**9)), limit)


@router.post("/imports/{import_id}/undo", response=ImportOut)
def undo(request: ApiRequest, import_id: int) -> Any:
    job = _job(request, import_id)
    _call(actions.undo_import, request.auth, job)
    job.refresh_from_db()
    return _out(job)
