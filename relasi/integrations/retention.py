"""What retention (relasi/privacy/retention.py) may do with finished imports: anonymise removes
the uploaded file and the raw rows kept with row errors (the import's summary stays, so the
history shows what was imported); delete removes the import entirely (its file too). The
imported records themselves are never touched."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from relasi.integrations.choices import ImportStatus
from relasi.privacy.retention import ANONYMISED, RecordType, register

FINISHED = [ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CHECKED]


def _remove_files(qs: models.QuerySet) -> int:
    from relasi.integrations.models import ImportJob, ImportRowError

    n = 0
    for job in qs:
        if job.file:
            job.file.delete(save=False)
        ImportRowError.objects.filter(import_job=job).update(raw=[], reason=ANONYMISED)
        n += ImportJob.objects.filter(pk=job.pk).update(file="", original_name=ANONYMISED)
    return n


def _delete(qs: models.QuerySet) -> int:
    n = 0
    for job in qs:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        n += 1
    return n


register(
    RecordType(
        key="integrations.importjob",
        label=_("Import files"),
        model="integrations.importjob",
        date_field="created_at",
        rule=_("finished imports uploaded more than N months ago (the file and raw rows)"),
        condition=lambda qs, cutoff: qs.filter(status__in=FINISHED),
        anonymise=_remove_files,
        anonymised=lambda qs: qs.filter(original_name=ANONYMISED),
        delete=_delete,
        default_months=6,
        order=50,
    )
)
