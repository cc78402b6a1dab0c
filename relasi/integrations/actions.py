"""Every state change of imports lives here (house rule 2): upload, mapping, dry run, start,
undo, saved mappings. Views and the API authorise, call one of these, and render."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, jobs, uploads
from relasi.core.choices import AuditAction
from relasi.integrations import readers, targets
from relasi.integrations.choices import DuplicatePolicy, ImportStatus, InvalidPhonePolicy
from relasi.integrations.models import ImportJob, SavedMapping

ALLOWED_TYPES = {"csv", "xlsx"}
EDITABLE = (ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.CHECKED, ImportStatus.FAILED)


def target_for(user: Any, key: str) -> targets.ImportTarget:
    target = targets.get(key)
    if target is None:
        raise ValidationError(_("Unknown record type."))
    if not user.has_module_perm(target.module, target.permission):
        raise PermissionDenied
    return target


def create_import(user: Any, upload: Any, target_key: str) -> ImportJob:
    """Check and store the upload, detect its format, suggest a mapping."""
    target = target_for(user, target_key)
    info = uploads.check_upload(upload, allowed=ALLOWED_TYPES)
    job = ImportJob(
        target=target.key,
        owner=user,
        team=getattr(user, "team", None),
        original_name=info.safe_name,
        size=upload.size,
        file_format=info.extension,
    )
    upload.seek(0)
    job.file.save(info.safe_name, File(upload), save=False)
    try:
        with job.file.open("rb") as fh:
            detected = readers.inspect(fh, info.extension)
    except ValidationError:
        job.file.delete(save=False)
        raise
    except Exception as exc:  # a damaged file of any kind is a user error, not a 500
        job.file.delete(save=False)
        raise ValidationError(_("The file could not be read.")) from exc
    job.encoding, job.delimiter, job.headers = (
        detected.encoding,
        detected.delimiter,
        detected.headers,
    )
    job.mapping = targets.suggest(detected.headers, target.fields())
    job.dry_run_result = {"preview": detected.preview}
    job.save()
    audit.record(user, AuditAction.IMPORT, job, message=f"uploaded {info.safe_name}")
    return job


def _editable(job: ImportJob) -> None:
    if job.status not in EDITABLE:
        raise ValidationError(_("This import can no longer be changed."))


def set_mapping(
    user: Any,
    job: ImportJob,
    mapping: dict[str, str],
    policy: str | None = None,
    fuzzy: bool | None = None,
    *,
    invalid_phones: str | None = None,
    create_organisations: bool | None = None,
) -> ImportJob:
    """Check and store the column mapping and the import's options; nothing is stored when
    any of it is wrong."""
    _editable(job)
    fields = {f.key: f for f in targets.get(job.target).fields()}  # type: ignore[union-attr]
    clean: dict[str, str] = {}
    for index, key in mapping.items():
        if not key:
            continue
        if key not in fields or not str(index).isdigit() or int(index) >= len(job.headers):
            raise ValidationError(_("Unknown field %(field)s.") % {"field": str(key)[:50]})
        if not fields[key].multi and key in clean.values():
            raise ValidationError(
                _("%(field)s is chosen for more than one column; choose it once.")
                % {"field": fields[key].label}
            )
        clean[str(index)] = key
    if policy is not None and policy not in DuplicatePolicy.values:
        raise ValidationError(_("Unknown duplicate policy."))
    if invalid_phones is not None and invalid_phones not in InvalidPhonePolicy.values:
        raise ValidationError(_("Unknown choice for invalid phone numbers."))
    job.mapping = clean
    if policy is not None:
        job.policy = policy
    if fuzzy is not None:
        job.fuzzy = fuzzy
    if invalid_phones is not None:
        job.invalid_phones = invalid_phones
    if create_organisations is not None:
        job.create_organisations = create_organisations
    job.status = ImportStatus.READY
    job.save(
        update_fields=[
            "mapping", "policy", "fuzzy", "invalid_phones", "create_organisations", "status"
        ]
    )  # fmt: skip
    return job


def save_mapping(user: Any, target_key: str, name: str, mapping: dict[str, str]) -> SavedMapping:
    name = name.strip()[:100]
    if not name:
        raise ValidationError(_("Give the mapping a name."))
    saved, _created = SavedMapping.objects.update_or_create(
        owner=user, target=target_key, name=name, defaults={"mapping": mapping}
    )
    return saved


def load_mapping(user: Any, job: ImportJob, saved: SavedMapping) -> ImportJob:
    """Apply a saved mapping: saved by header name, so column order may differ."""
    by_header = saved.mapping
    mapping = {str(i): by_header[h] for i, h in enumerate(job.headers) if by_header.get(h)}
    return set_mapping(user, job, mapping)


def mapping_by_header(job: ImportJob) -> dict[str, str]:
    return {job.headers[int(i)]: key for i, key in job.mapping.items() if int(i) < len(job.headers)}


def _check_mapping(job: ImportJob) -> None:
    if not job.mapping:
        raise ValidationError(_("Map at least one column to a field."))
    target = targets.get(job.target)
    problem = (
        target.check_mapping(set(job.mapping.values())) if target else _("Unknown record type.")
    )
    if problem:
        raise ValidationError(problem)


class _Enqueue:
    """Lets core.jobs.start enqueue the import task with the import's id."""

    def __init__(self, import_id: int, dry_run: bool) -> None:
        self.import_id, self.dry_run = import_id, dry_run

    def enqueue(self, job_id: str) -> Any:
        from relasi.integrations.tasks import run_import

        return run_import.enqueue(self.import_id, job_id, self.dry_run)


def start_dry_run(user: Any, job: ImportJob) -> ImportJob:
    _editable(job)
    _check_mapping(job)
    with transaction.atomic():
        job.status = ImportStatus.CHECKING
        job.dry_run = True
        job.job = jobs.start(
            "import_dry_run",
            user,
            _Enqueue(job.pk, True),
            label=_("Dry run: %(file)s") % {"file": job.original_name},
        )
        job.save(update_fields=["status", "dry_run", "job"])
    return job


def start_import(user: Any, job: ImportJob) -> ImportJob:
    _editable(job)
    _check_mapping(job)
    with transaction.atomic():
        job.status = ImportStatus.QUEUED
        job.dry_run = False
        job.job = jobs.start(
            "import",
            user,
            _Enqueue(job.pk, False),
            label=_("Import: %(file)s") % {"file": job.original_name},
        )
        job.save(update_fields=["status", "dry_run", "job"])
        audit.record(
            user,
            AuditAction.IMPORT,
            job,
            changes={"mapping": mapping_by_header(job), "policy": job.policy},
            message=f"import started: {job.original_name}",
        )
    return job


def resume(job: ImportJob) -> ImportJob:
    """Re-enqueue an interrupted import; it continues from its watermark."""
    from relasi.core.models import Job

    with transaction.atomic():
        core_job = job.job or jobs.start("import", job.owner, _Enqueue(job.pk, False))
        if job.job:
            Job.objects.filter(pk=core_job.pk).update(status="queued")
            transaction.on_commit(lambda: _Enqueue(job.pk, False).enqueue(str(core_job.pk)))
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.QUEUED, job=core_job, heartbeat_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def undo_import(user: Any, job: ImportJob) -> dict[str, int]:
    if not job.can_undo:
        raise ValidationError(_("Only a finished import can be undone, once."))
    target = target_for(user, job.target)
    with transaction.atomic():
        stats = target.undo(job, user)
        job.status = ImportStatus.UNDONE
        job.undone_at = timezone.now()
        job.save(update_fields=["status", "undone_at"])
        audit.record(
            user,
            AuditAction.IMPORT,
            job,
            changes=stats,
            message=f"import undone: {job.original_name}",
        )
    return stats
