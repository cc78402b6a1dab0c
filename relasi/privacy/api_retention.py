"""Retention API: /api/v1/privacy/retention — record types, policies, the dry-run preview and
runs (started as a background job; poll the run for its report). Module "privacy": view to read
and preview, change to edit policies and to run them."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from relasi.core.api import Id, PageOut, check, page_of
from relasi.privacy import retention
from relasi.privacy.choices import RetentionTrigger
from relasi.privacy.models import ProcessingActivity, RetentionPolicy, RetentionRun

router = Router(tags=["privacy"])

Months = Annotated[int, Field(ge=1, le=1200)]
Key = Annotated[str, Field(max_length=60)]
Note = Annotated[str, Field(max_length=2000)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]


class RecordTypeOut(Schema):
    key: str
    label: str
    rule: str
    actions: list[str]
    refused: str
    default_months: int


class PolicyIn(Schema):
    record_type: Key
    months: Months
    action: Annotated[str, Field(max_length=10)]
    active: bool = True
    processing_id: Id | None = None
    note: Note = ""


class PolicyPatch(Schema):
    months: Months | None = None
    action: Annotated[str, Field(max_length=10)] | None = None
    active: bool | None = None
    processing_id: Id | None = None
    note: Note | None = None
    version: Version | None = None


class PolicyOut(Schema):
    id: int
    record_type: str
    months: int
    action: str
    active: bool
    processing_id: int | None
    note: str
    last_run_at: dt.datetime | None
    last_run_counts: dict[str, int]
    version: int


class SampleOut(Schema):
    id: Any
    label: str
    date: dt.datetime | None
    url: str
    skip: str


class PreviewOut(Schema):
    policy: int
    count: int
    cutoff: dt.datetime
    sample: list[SampleOut]


class RunIn(Schema):
    policies: list[Id] | None = Field(None, max_length=100)
    dry_run: bool = False


class RunOut(Schema):
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    trigger: str
    dry_run: bool
    status: str
    policy_ids: list[int]
    report: list[dict[str, Any]]
    totals: dict[str, int]
    job_id: str | None

    @staticmethod
    def resolve_job_id(obj: RetentionRun) -> str | None:
        return str(obj.job_id) if obj.job_id else None


@router.get("/record-types", response=list[RecordTypeOut])
def list_record_types(request: HttpRequest) -> Any:
    check(request, "privacy", "view")
    return [
        {
            "key": t.key, "label": str(t.label), "rule": str(t.rule), "actions": t.actions,
            "refused": str(t.refused), "default_months": t.default_months,
        }
        for t in retention.record_types()
    ]  # fmt: skip


def _processing(data: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    if "processing_id" in data:
        pid = data.pop("processing_id")
        data["processing"] = ProcessingActivity.objects.filter(pk=pid).first() if pid else None
        if pid and data["processing"] is None:
            raise ValidationError({"processing_id": ["Unknown processing activity."]})
    return data


@router.get("/policies", response=list[PolicyOut])
def list_policies(request: HttpRequest) -> Any:
    check(request, "privacy", "view")
    return list(RetentionPolicy.objects.order_by("record_type"))


@router.post("/policies", response={201: PolicyOut})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Any:
    user = check(request, "privacy", "change")
    return Status(201, retention.create_policy(user, _processing(payload.dict())))


@router.get("/policies/{int:policy_id}", response=PolicyOut)
def get_policy(request: HttpRequest, policy_id: Id) -> Any:
    check(request, "privacy", "view")
    return get_object_or_404(RetentionPolicy, pk=policy_id)


@router.patch("/policies/{int:policy_id}", response=PolicyOut)
def update_policy(request: HttpRequest, policy_id: Id, payload: PolicyPatch) -> Any:
    user = check(request, "privacy", "change")
    policy = get_object_or_404(RetentionPolicy, pk=policy_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    data = {k: v for k, v in data.items() if v is not None or k == "processing_id"}
    return retention.update_policy(user, policy, _processing(data), expected_version=version)


@router.delete("/policies/{int:policy_id}", response={204: None})
def delete_policy(request: HttpRequest, policy_id: Id) -> Any:
    user = check(request, "privacy", "change")
    retention.delete_policy(user, get_object_or_404(RetentionPolicy, pk=policy_id))
    return Status(204, None)


@router.get("/policies/{int:policy_id}/preview", response=PreviewOut)
def preview_policy(request: HttpRequest, policy_id: Id) -> Any:
    """The dry-run preview: how many records the policy would touch now and the first 20."""
    check(request, "privacy", "view")
    policy = get_object_or_404(RetentionPolicy, pk=policy_id)
    result = retention.preview(policy)
    return {"policy": policy.pk, "count": result.count, "cutoff": result.cutoff,
            "sample": result.sample}  # fmt: skip


@router.post("/runs", response={202: RunOut})
def start_run(request: HttpRequest, payload: RunIn) -> Any:
    """Apply the given policies (default: every active one) as a background job."""
    user = check(request, "privacy", "change")
    if payload.policies:
        found = set(
            RetentionPolicy.objects.filter(pk__in=payload.policies).values_list("pk", flat=True)
        )
        if missing := sorted(set(payload.policies) - found):
            from django.core.exceptions import ValidationError

            raise ValidationError({"policies": [f"Unknown policy: {missing[0]}"]})
    run = retention.start_run(
        user, payload.policies, dry_run=payload.dry_run, trigger=RetentionTrigger.API
    )
    return Status(202, run)


@router.get("/runs", response=PageOut[RunOut])
def list_runs(
    request: HttpRequest,
    cursor: Annotated[str, Field(max_length=200)] | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> Any:
    check(request, "privacy", "view")
    return page_of(RetentionRun.objects.all(), order="-id", cursor=cursor, limit=limit)


@router.get("/runs/{int:run_id}", response=RunOut)
def get_run(request: HttpRequest, run_id: Id) -> Any:
    check(request, "privacy", "view")
    return get_object_or_404(RetentionRun, pk=run_id)
