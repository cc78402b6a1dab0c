"""Marketing API (/api/v1/marketing): segments (list, create, read, update, delete), a count of
any rule before saving it, a segment's members (paged), and its snapshots.

Segments are fetched through the access layer (outside the caller's visibility: 404); members
are the people the caller may see. Module permission "marketing" and token scopes apply."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status

from relasi.core.access import get_for_user, visible_to
from relasi.core.api import PageOut, check, page_of
from relasi.core.typing import ApiRequest
from relasi.marketing import actions, rules, segments
from relasi.marketing.models import Segment, SegmentSnapshot

router = Router(tags=["marketing"])


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rule: dict[str, Any]
    last_count: int | None = Field(description="Members the last counter could see")
    counted_at: dt.datetime | None
    owner_id: int | None
    team_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class SegmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    description: str = Field("", max_length=500)
    rule: dict[str, Any] = Field(
        default_factory=lambda: {"op": "and", "rules": []},
        description="AND/OR groups of conditions; see docs/marketing.md",
    )


class SegmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    description: str | None = Field(None, max_length=500)
    rule: dict[str, Any] | None = None
    version: int | None = Field(None, description="The version you read; a newer one is a 409")


class RuleIn(Schema):
    rule: dict[str, Any]


class CountOut(Schema):
    count: int


class MemberOut(Schema):
    id: int
    name: str
    primary_email: str
    primary_phone: str
    city: str
    province: str
    lifecycle_stage: str


class SnapshotIn(Schema):
    name: str = Field("", max_length=150)


class SnapshotOut(Schema):
    id: int
    segment_id: int
    name: str
    size: int
    created_at: dt.datetime


class ConditionOut(Schema):
    key: str
    label: str
    section: str
    kind: str
    ops: list[str]
    period: bool
    choices: list[list[str]] | None


def _get(request: ApiRequest, pk: int, action: str = "view") -> Segment:
    user = check(request, "marketing", action)
    return get_for_user(user, Segment.objects.all(), pk=pk)


@router.get("/conditions", response=list[ConditionOut], summary="What a rule may test")
def list_conditions(request: ApiRequest) -> list[dict]:
    check(request, "marketing", "view")
    return [
        {"key": c.key, "label": str(c.label), "section": str(c.section), "kind": c.kind,
         "ops": list(c.ops), "period": c.period,
         "choices": [list(p) for p in c.choices()] if c.choices else None}
        for c in rules.all_conditions()
    ]  # fmt: skip


@router.post("/count", response=CountOut, summary="Count a rule's members (without saving it)")
def count_rule(request: ApiRequest, payload: RuleIn) -> dict:
    user = check(request, "marketing", "view")
    return {"count": segments.count(user, rules.validate(payload.rule))}


@router.get("/segments", response=PageOut[SegmentOut], summary="List segments (visible to you)")
def list_segments(request: ApiRequest, cursor: str | None = None, limit: int = 50) -> dict:
    user = check(request, "marketing", "view")
    qs = visible_to(user, Segment.objects.all())
    return page_of(qs, order="name", cursor=cursor, limit=max(1, min(limit, 200)))


@router.post("/segments", response={201: SegmentOut}, summary="Create a segment")
def create_segment(request: ApiRequest, payload: SegmentIn) -> Status:
    user = check(request, "marketing", "add")
    return Status(201, actions.create_segment(user, payload.dict()))


@router.get("/segments/{pk}", response=SegmentOut, summary="One segment")
def get_segment(request: ApiRequest, pk: int) -> Segment:
    return _get(request, pk)


@router.patch("/segments/{pk}", response=SegmentOut, summary="Change a segment")
def update_segment(request: ApiRequest, pk: int, payload: SegmentPatch) -> Segment:
    segment = _get(request, pk, "change")
    data = payload.dict(exclude_none=True)
    version = data.pop("version", None)
    return actions.update_segment(request.auth, segment, data, expected_version=version)


@router.delete("/segments/{pk}", response={204: None}, summary="Delete a segment")
def delete_segment(request: ApiRequest, pk: int) -> Status:
    segment = _get(request, pk, "delete")
    actions.delete_segment(request.auth, segment)
    return Status(204, None)


@router.get("/segments/{pk}/count", response=CountOut, summary="Count the members now")
def segment_count(request: ApiRequest, pk: int) -> dict:
    segment = _get(request, pk)
    return {"count": actions.recount(request.auth, segment).last_count or 0}


@router.get("/segments/{pk}/members", response=PageOut[MemberOut], summary="Members (paged)")
def segment_members(
    request: ApiRequest, pk: int, cursor: str | None = None, limit: int = 50
) -> dict:
    segment = _get(request, pk)
    qs = segments.members(request.auth, segment.rule)
    return page_of(qs, order="name", cursor=cursor, limit=max(1, min(limit, 200)))


@router.get("/segments/{pk}/snapshots", response=list[SnapshotOut], summary="Snapshots")
def list_snapshots(request: ApiRequest, pk: int) -> Any:
    return list(_get(request, pk).snapshots.all()[:200])


@router.post("/segments/{pk}/snapshots", response={201: SnapshotOut}, summary="Freeze members")
def create_snapshot(request: ApiRequest, pk: int, payload: SnapshotIn) -> Status:
    segment = _get(request, pk, "change")
    return Status(201, actions.take_snapshot(request.auth, segment, payload.name))


@router.get("/snapshots/{pk}/members", response=PageOut[MemberOut], summary="A snapshot's members")
def snapshot_members(
    request: ApiRequest, pk: int, cursor: str | None = None, limit: int = 50
) -> dict:
    user = check(request, "marketing", "view")
    snapshot = get_for_user(user, SegmentSnapshot.objects.all(), pk=pk)
    from relasi.customers.models import Person

    qs = visible_to(user, Person.objects.filter(pk__in=snapshot.members.values("customer_id")))
    return page_of(qs, order="name", cursor=cursor, limit=max(1, min(limit, 200)))
