"""What an import says about its rows — rejected, warnings, duplicates — for the result page,
the downloadable report and the API. A record a row points at is linked only when the reader
may see it (the access layer decides); otherwise only the reason is shown."""

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest

from relasi.core.access import visible_to
from relasi.integrations import targets
from relasi.integrations.models import ImportJob, ImportRowError

# The report file's own columns, after the file's columns (so a fixed file can be uploaded
# again as it is). Fixed English names, whatever the language, so that spreadsheets and
# scripts reading them keep working; prefixed so they never collide with a column of the file.
REPORT_COLUMNS = ("import_line", "import_status", "import_message", "import_record")


def _linker(user: Any, job: ImportJob, ids: set[int]) -> dict[int, tuple[str, str]]:
    """object id -> (url, name) for the records among `ids` that `user` may see."""
    target = targets.get(job.target)
    if target is None or not ids or type(target).record_url is targets.ImportTarget.record_url:
        return {}  # a target without record pages links nothing
    qs = visible_to(user, target.model._base_manager.filter(pk__in=ids))
    return {pk: (target.record_url(pk), str(name)) for pk, name in qs.values_list("pk", "name")}


def listed(user: Any, job: ImportJob, kind: str, limit: int = 500) -> list[dict[str, Any]]:
    """The first `limit` reports of one kind, each with `url`/`name` of a visible record."""
    rows = list(job.row_errors.filter(kind=kind).order_by("line", "id")[:limit])
    links = _linker(user, job, {r.object_id for r in rows if r.object_id})
    return [_as_dict(r, links) for r in rows]


def dry_run_listed(user: Any, job: ImportJob, key: str) -> list[dict[str, Any]]:
    found = list(job.dry_run_result.get(key) or [])
    links = _linker(user, job, {r["object_id"] for r in found if (r.get("object_id") or 0) > 0})
    return [{**r, **_link(r.get("object_id"), links)} for r in found]


def _link(pk: int | None, links: dict[int, tuple[str, str]]) -> dict[str, Any]:
    if pk is not None and pk in links:
        url, name = links[pk]
        return {"url": url, "name": name}
    return {"url": "", "name": ""}


def _as_dict(r: ImportRowError, links: dict[int, tuple[str, str]]) -> dict[str, Any]:
    return {
        "line": r.line,
        "kind": r.kind,
        "reason": r.reason,
        "raw": r.raw,
        "object_id": r.object_id if r.object_id in links else None,
        **_link(r.object_id, links),
    }


def page(user: Any, job: ImportJob, kind: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of reports for the API (`kind` "all" for every kind)."""
    qs = job.row_errors.order_by("line", "id")
    if kind != "all":
        qs = qs.filter(kind=kind)
    rows = list(qs[offset : offset + limit])
    links = _linker(user, job, {r.object_id for r in rows if r.object_id})
    return [_as_dict(r, links) for r in rows]


def csv_rows(request: HttpRequest, job: ImportJob) -> Iterator[list[Any]]:
    """The report file's rows: the original cells, then the REPORT_COLUMNS."""
    width = len(job.headers)
    batch: list[ImportRowError] = []

    def flush() -> Iterator[list[Any]]:
        links = _linker(request.user, job, {r.object_id for r in batch if r.object_id})
        for r in batch:
            url = links[r.object_id][0] if r.object_id in links else ""
            yield [
                *(list(r.raw) + [""] * width)[:width],
                r.line,
                r.kind,
                r.reason,
                request.build_absolute_uri(url) if url else "",
            ]

    for r in job.row_errors.order_by("line", "id").iterator(chunk_size=2000):
        batch.append(r)
        if len(batch) >= 2000:
            yield from flush()
            batch = []
    yield from flush()
