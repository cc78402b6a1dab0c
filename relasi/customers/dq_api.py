"""Duplicates API under /api/v1/duplicates/: candidate pairs, dismiss, merge (with field
choices), undo, scan jobs — and the 409 "did you mean …" answer of customer creation."""

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from relasi.core import jobs
from relasi.core.access import get_for_user
from relasi.core.api import PageOut, check, page_of
from relasi.core.models import Job
from relasi.core.typing import ApiRequest
from relasi.customers import duplicates, merge, tasks
from relasi.customers.dq_views import get_candidate, visible_candidates
from relasi.customers.models import Customer, DuplicateStatus, MergeRecord

router = Router(tags=["duplicates"])


class DuplicatesFound(Exception):
    """Creation stopped: likely duplicates exist (answered with 409 and the candidates)."""

    def __init__(self, found: list[dict[str, Any]]) -> None:
        super().__init__("likely duplicates")
        self.found = found


def _wants_force(request: HttpRequest) -> bool:
    if request.GET.get("force", "").lower() in ("1", "true", "yes"):
        return True
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("force") in (True, "true", 1)


def check_create(
    request: HttpRequest, user: Any, kind: str, data: dict[str, Any], emails: Any, phones: Any
) -> None:
    """Called by the customer create endpoints: raise DuplicatesFound unless forced."""
    if _wants_force(request):
        return
    email_list = [e.get("email", "") if isinstance(e, dict) else str(e) for e in emails or []]
    phone_list = [p.get("number", "") if isinstance(p, dict) else str(p) for p in phones or []]
    found = duplicates.likely_duplicates(user, {**data, "kind": kind}, email_list, phone_list)
    if found:
        raise DuplicatesFound(found)


def duplicates_found_response(api: Any, request: HttpRequest, exc: Any) -> HttpResponse:
    body = {
        "error": {
            "status": 409,
            "message": "Likely duplicates exist; send force=true to create anyway.",
            "details": {"candidates": [_match(m) for m in exc.found]},
        }
    }
    return api.create_response(request, body, status=409)


def _match(m: dict[str, Any]) -> dict[str, Any]:
    c = m["customer"]
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "email": c.primary_email,
        "phone": c.primary_phone,
        "city": c.city,
        "score": m["score"],
        "reasons": m["reasons"],
    }


class CustomerBrief(Schema):
    id: int
    name: str
    kind: str
    version: int


class CandidateOut(Schema):
    id: int
    customer_a: CustomerBrief
    customer_b: CustomerBrief
    score: float
    reasons: list[str]
    status: str
    found_at: dt.datetime


class MergeIn(Schema):
    survivor_id: int
    merged_id: int
    choices: dict[str, int] = {}
    survivor_version: int | None = None
    merged_version: int | None = None


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    merged_name: str
    choices: dict[str, Any]
    merged_at: dt.datetime
    undone_at: dt.datetime | None = None


class JobOut(Schema):
    id: str
    status: str
    progress_done: int
    progress_total: int
    percent: int
    message: str
    result: dict[str, Any]


@router.get(
    "/candidates", response=PageOut[CandidateOut], summary="Candidate pairs by score (paged)"
)
def list_candidates(
    request: ApiRequest,
    min_score: float = 0,
    status: str = "open",
    cursor: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Any:
    check(request, "customers", "view")
    qs = visible_candidates(request.auth).filter(score__gte=min_score)
    if status in DuplicateStatus.values:
        qs = qs.filter(status=status)
    qs = qs.select_related("customer_a", "customer_b")
    return page_of(qs, order="-score", cursor=cursor, before=before, limit=limit)


@router.post("/candidates/{pk}/dismiss", response=CandidateOut, summary="Not a duplicate")
def dismiss(request: ApiRequest, pk: int) -> Any:
    user = check(request, "customers", "change")
    return merge.dismiss(user, get_candidate(user, pk))


@router.post("/merge", response={201: MergeOut}, summary="Merge merged_id into survivor_id")
def merge_pair(request: ApiRequest, payload: MergeIn) -> Status:
    user = check(request, "customers", "change")
    survivor = get_for_user(user, Customer.objects.all(), pk=payload.survivor_id)
    merged = get_for_user(user, Customer.objects.all(), pk=payload.merged_id)
    record = merge.merge_customers(
        user,
        survivor,
        merged,
        payload.choices,
        expected_versions=(payload.survivor_version, payload.merged_version),
    )
    return Status(201, record)


@router.get("/merges/{pk}", response=MergeOut, summary="One merge record")
def get_merge(request: ApiRequest, pk: int) -> Any:
    check(request, "customers", "view")
    return get_for_user(request.auth, MergeRecord.objects.all(), pk=pk)


@router.post("/merges/{pk}/undo", response=MergeOut, summary="Undo a merge")
def undo(request: ApiRequest, pk: int) -> Any:
    user = check(request, "customers", "change")
    record = get_for_user(user, MergeRecord.objects.all(), pk=pk)
    if record.undone_at:
        raise ValidationError("This merge has already been undone.")
    merge.undo_merge(user, record)
    record.refresh_from_db()
    return record


@router.post("/scan", response={202: JobOut}, summary="Start a whole-database scan")
def scan(request: ApiRequest) -> Status:
    user = check(request, "customers", "change")
    job = jobs.start("duplicate_scan", user, tasks.scan_duplicates, label="Duplicate scan")
    return Status(202, _job(job))


@router.get("/jobs/{job_id}", response=JobOut, summary="Scan job status")
def job_status(request: ApiRequest, job_id: str) -> Any:
    check(request, "customers", "view")
    try:
        job = Job.objects.filter(pk=job_id, owner=request.auth, kind="duplicate_scan").first()
    except ValidationError as exc:
        raise Http404 from exc
    if job is None:
        raise Http404
    return _job(job)


def _job(job: Job) -> dict[str, Any]:
    job.refresh_from_db()
    return {
        "id": str(job.pk),
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "percent": job.percent,
        "message": job.message,
        "result": job.result,
    }
