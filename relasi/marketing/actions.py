"""Every state change of the marketing app: segments (create, update, delete, recount) and
snapshots. Views and API endpoints authorise, then call one of these."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.marketing import rules, segments
from relasi.marketing.models import Segment, SegmentSnapshot, SnapshotMember

SNAPSHOT_CHUNK = 5000


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in ("name", "description", "rule")}
    if "rule" in out:
        out["rule"] = rules.validate(out["rule"])
    if "name" in out and not str(out["name"]).strip():
        raise ValidationError({"name": [_("A segment needs a name.")]})
    return out


def create_segment(actor: Any, data: dict[str, Any]) -> Segment:
    clean = _clean(data)
    clean.setdefault("rule", rules.validate({"op": "and", "rules": []}))
    clean["owner"] = actor
    clean["team"] = getattr(actor, "team", None)
    segment = records.create_record(actor, Segment, clean)
    return recount(actor, segment)


def update_segment(
    actor: Any, segment: Segment, data: dict[str, Any], *, expected_version: int | None = None
) -> Segment:
    segment = records.update_record(actor, segment, _clean(data), expected_version=expected_version)
    return recount(actor, segment)


def delete_segment(actor: Any, segment: Segment) -> None:
    records.delete_record(actor, segment)


def recount(actor: Any, segment: Segment) -> Segment:
    """Count the members `actor` sees and keep it on the segment (the list's figure)."""
    n = segments.count(actor, segment.rule)
    Segment.objects.filter(pk=segment.pk).update(last_count=n, counted_at=timezone.now())
    segment.last_count, segment.counted_at = n, timezone.now()
    return segment


def take_snapshot(actor: Any, segment: Segment, name: str = "") -> SegmentSnapshot:
    """Freeze the members `actor` sees now (one row per person, written in chunks)."""
    with transaction.atomic():
        snapshot = SegmentSnapshot.objects.create(
            segment=segment, name=name[:150], rule=segment.rule, created_by=actor
        )
        ids = segments.members(actor, segment.rule).order_by("pk").values_list("pk", flat=True)
        size = 0
        batch: list[SnapshotMember] = []
        for pk in ids.iterator(chunk_size=SNAPSHOT_CHUNK):
            batch.append(SnapshotMember(snapshot=snapshot, customer_id=pk))
            if len(batch) == SNAPSHOT_CHUNK:
                SnapshotMember.objects.bulk_create(batch)
                size += len(batch)
                batch = []
        if batch:
            SnapshotMember.objects.bulk_create(batch)
            size += len(batch)
        snapshot.size = size
        snapshot.save(update_fields=["size"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            segment,
            message=f"snapshot {snapshot.pk} taken ({size} members)",
        )
    return snapshot


def delete_snapshot(actor: Any, snapshot: SegmentSnapshot) -> None:
    segment = snapshot.segment
    pk = snapshot.pk
    snapshot.delete()
    audit.record(actor, AuditAction.UPDATE, segment, message=f"snapshot {pk} deleted")
