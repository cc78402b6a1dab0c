"""The import engine: stream the file, clean rows outside any lock, write each chunk of
1,000 rows in one transaction that also advances `rows_done`.

Resuming (fault F1): a worker killed mid-import leaves the last committed chunk's watermark;
running the task again skips the first `rows_done` data rows and continues, so no row is lost
and none is written twice. A dry run takes the same path without writing anything."""

from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import jobs
from relasi.integrations import readers, targets
from relasi.integrations.choices import ImportStatus, RowReportKind
from relasi.integrations.models import ImportJob, ImportRowError
from relasi.integrations.normalise import CellError

CHUNK = 1000
DRY_RUN_ERRORS = 100
MAX_ERRORS_STORED = 100_000

# Tests set this to crash after N chunks (fault F1 simulation); never set in production.
crash_after_chunks: int | None = None


class SimulatedCrash(RuntimeError):
    pass


class Superseded(RuntimeError):
    """Another worker advanced this import's watermark: stop without writing."""


def data_rows(job: ImportJob, fh: Any) -> Iterator[tuple[int, list[str]]]:
    it = readers.records(fh, job.file_format, job.encoding or "utf-8", job.delimiter or ",")
    next(it, None)  # header
    yield from it


def _chunks(
    rows: Iterator[tuple[int, list[str]]], skip: int
) -> Iterator[list[tuple[int, list[str]]]]:
    buf: list[tuple[int, list[str]]] = []
    for n, row in enumerate(rows):
        if n < skip:
            continue
        buf.append(row)
        if len(buf) >= CHUNK:
            yield buf
            buf = []
    if buf:
        yield buf


def _clean_chunk(
    target: targets.ImportTarget,
    ctx: Any,
    to_values: Callable[[list[str]], dict[str, list[str]]],
    chunk: list[tuple[int, list[str]]],
    width: int,
) -> tuple[list[tuple[int, Any, list[str]]], list[tuple[int, str, list[str]]]]:
    good: list[tuple[int, Any, list[str]]] = []
    bad: list[tuple[int, str, list[str]]] = []
    for line, cells in chunk:
        if cells and cells[0].startswith(readers.BAD_ROW):
            bad.append(
                (line, _("The row is not valid CSV: %(error)s") % {"error": cells[0][1:]}, [])
            )
            continue
        if any(len(c) > readers.MAX_CELL for c in cells):
            bad.append(
                (
                    line,
                    _("A cell is longer than %(n)s characters.") % {"n": readers.MAX_CELL},
                    [c[:200] for c in cells],
                )
            )
            continue
        try:
            good.append((line, target.clean(ctx, to_values(cells)), cells))
        except CellError as exc:
            bad.append((line, str(exc), cells[: width + 5]))
    return good, bad


def _reports(
    job: ImportJob, bad: list[tuple[int, str, list[str]]], result: targets.ChunkResult
) -> list[ImportRowError]:
    """One row report per rejected, warned or duplicate row, in the chunk's transaction."""
    out = [
        ImportRowError(
            import_job=job, kind=RowReportKind.REJECTED, line=ln, reason=r[:1000], raw=raw
        )
        for ln, r, raw in bad
    ]
    for kind, found in (
        (RowReportKind.WARNING, result.warnings),
        (RowReportKind.DUPLICATE, result.duplicates),
    ):
        out += [
            ImportRowError(
                import_job=job, kind=kind, line=ln, reason=r[:1000], raw=raw, object_id=pk
            )
            for ln, r, raw, pk in found
        ]
    return out


def run(import_id: int, *, dry_run: bool = False) -> ImportJob:
    job = ImportJob.objects.select_related("owner").get(pk=import_id)
    target = targets.get(job.target)
    if target is None:
        raise ValueError(f"unknown import target {job.target}")
    ctx = target.begin(job, dry_run=dry_run)
    to_values = targets.apply_mapping(job.mapping)
    width = len(job.headers)
    counts = {"total": 0, "created": 0, "updated": 0, "skipped": 0, "rejected": 0, "warned": 0}
    first: dict[str, list[dict[str, Any]]] = {"errors": [], "warnings": [], "duplicates": []}
    skip = 0 if dry_run else job.rows_done
    done = skip
    chunks_written = 0
    with job.file.open("rb") as fh:
        if not dry_run and job.total == 0:
            total = sum(1 for _ in data_rows(job, fh))
            ImportJob.objects.filter(pk=job.pk).update(total=total)
            job.total = total
            fh.seek(0)
        for chunk in _chunks(data_rows(job, fh), skip):
            good, bad = _clean_chunk(target, ctx, to_values, chunk, width)
            done += len(chunk)
            if dry_run:
                result = target.write(ctx, job, good)
                bad += result.errors
                counts["total"] += len(chunk)
                for key in ("created", "updated", "skipped"):
                    counts[key] += getattr(result, key)
                counts["rejected"] += len(bad)
                counts["warned"] += len(result.warnings)
                for key, found in (
                    ("errors", [(ln, r, raw, None) for ln, r, raw in bad]),
                    ("warnings", result.warnings),
                    ("duplicates", result.duplicates),
                ):
                    for line, reason, _raw, pk in sorted(found, key=lambda r: r[0])[
                        : DRY_RUN_ERRORS - len(first[key])
                    ]:
                        first[key].append({"line": line, "reason": reason, "object_id": pk})
                continue
            with transaction.atomic():
                # Claim the chunk first: the watermark moves only from where this run expects
                # it, so two workers on one import can never both write the same rows.
                claimed = ImportJob.objects.filter(pk=job.pk, rows_done=done - len(chunk)).update(
                    rows_done=done, heartbeat_at=timezone.now(), status=ImportStatus.RUNNING
                )
                if not claimed:
                    raise Superseded(f"import {job.pk} was advanced by another worker")
                result = target.write(ctx, job, good)
                bad += result.errors
                ImportRowError.objects.bulk_create(_reports(job, bad, result))
                ImportJob.objects.filter(pk=job.pk).update(
                    created=F("created") + result.created,
                    updated=F("updated") + result.updated,
                    skipped=F("skipped") + result.skipped,
                    rejected=F("rejected") + len(bad),
                    warnings=F("warnings") + len(result.warnings),
                )
                if job.job_id:
                    jobs.progress(job.job, done, job.total)  # type: ignore[arg-type]
            chunks_written += 1
            if crash_after_chunks is not None and chunks_written >= crash_after_chunks:
                raise SimulatedCrash(f"simulated crash after {chunks_written} chunks")
    if dry_run:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.CHECKED,
            dry_run_result={**counts, **first},
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, finished_at=timezone.now(), rows_done=done
        )
    job.refresh_from_db()
    if not dry_run:
        target.finished(job)
    return job
