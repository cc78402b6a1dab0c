"""The 360° timeline: a registry of providers, one per kind of touch point.

Later apps plug in without editing this app:

    from relasi.customers import timeline

    @timeline.register("deal", _("Deals"), icon="briefcase")
    def deals(customer, before, limit):
        return [timeline.Entry(at=d.created_at, kind="deal", title=..., url=...) for d in ...]

Each provider returns at most `limit` entries older than `before` (None = newest), newest
first, so the merged page costs `providers × limit` rows whatever the customer's history size.
"""

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from relasi.core import history
from relasi.core.choices import AuditAction
from relasi.core.models import AuditEvent


@dataclass(order=True)
class Entry:
    at: dt.datetime
    kind: str = field(compare=False)
    title: str = field(compare=False)
    body: str = field(default="", compare=False)
    actor: str = field(default="", compare=False)
    url: str = field(default="", compare=False)
    changes: dict = field(default_factory=dict, compare=False)


Provider = Callable[[Any, dt.datetime | None, int], list[Entry]]


@dataclass
class Kind:
    key: str
    label: Any
    icon: str
    provider: Provider


_kinds: dict[str, Kind] = {}


def register(key: str, label: Any, icon: str = "circle") -> Callable[[Provider], Provider]:
    def wrap(fn: Provider) -> Provider:
        _kinds[key] = Kind(key, label, icon, fn)
        return fn

    return wrap


def kinds() -> list[Kind]:
    return list(_kinds.values())


def entries(
    customer: Any,
    *,
    kinds_wanted: list[str] | None = None,
    before: dt.datetime | None = None,
    limit: int = 30,
) -> list[Entry]:
    """The newest `limit` entries (older than `before`) across the wanted kinds."""
    streams = []
    for kind in _kinds.values():
        if kinds_wanted and kind.key not in kinds_wanted:
            continue
        streams.append(kind.provider(customer, before, limit))
    merged = heapq.merge(*streams, reverse=True)
    return [e for _i, e in zip(range(limit), merged, strict=False)]


def _older(qs: Any, field_name: str, before: dt.datetime | None) -> Any:
    return qs.filter(**{f"{field_name}__lt": before}) if before else qs


@register("note", _("Notes"), "sticky")
def _notes(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    qs = _older(customer.notes.select_related("author"), "created_at", before).order_by(
        "-created_at"
    )[:limit]
    return [Entry(n.created_at, "note", str(_("Note")), n.body, str(n.author or "")) for n in qs]


@register("stage", _("Lifecycle"), "signpost-split")
def _stages(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    qs = _older(
        customer.lifecycle_changes.select_related("changed_by"), "changed_at", before
    ).order_by("-changed_at")[:limit]
    return [
        Entry(
            c.changed_at,
            "stage",
            str(
                _("Stage: %(from)s → %(to)s")
                % {"from": c.get_from_stage_display() or "—", "to": c.get_to_stage_display()}
            ),
            c.note,
            str(c.changed_by or ""),
        )
        for c in qs
    ]


@register("change", _("Changes"), "pencil")
def _changes(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from relasi.customers.models import Customer

    ct = ContentType.objects.get_for_model(Customer)
    qs = AuditEvent.objects.filter(content_type=ct, object_id=str(customer.pk)).exclude(
        action=AuditAction.SECURITY
    )
    qs = _older(qs, "at", before).order_by("-at", "-id")[:limit]
    return [
        Entry(
            ev.at,
            "change",
            str(ev.get_action_display()),
            ev.message,
            ev.actor_label,
            # Field labels and readable values (relasi.core.history), as on every record page.
            changes={c.label: [c.before, c.after] for c in history.describe(Customer, ev.changes)},
        )
        for ev in qs
    ]


@register("attachment", _("Files"), "paperclip")
def _attachments(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from django.urls import reverse

    qs = _older(customer.attachments.select_related("uploaded_by"), "uploaded_at", before).order_by(
        "-uploaded_at"
    )[:limit]
    return [
        Entry(
            a.uploaded_at,
            "attachment",
            str(_("File: %(name)s") % {"name": a.original_name}),
            "",
            str(a.uploaded_by or ""),
            url=reverse("customers:attachment_download", args=[a.pk]),
        )
        for a in qs
    ]


@register("relationship", _("Relationships"), "people")
def _relationships(customer: Any, before: dt.datetime | None, limit: int) -> list[Entry]:
    from django.db.models import Q

    from relasi.customers.models import Relationship

    qs = Relationship.objects.filter(
        Q(from_customer=customer) | Q(to_customer=customer)
    ).select_related("from_customer", "to_customer", "created_by")
    qs = _older(qs, "created_at", before).order_by("-created_at")[:limit]
    return [
        Entry(r.created_at, "relationship", str(r), r.note, str(r.created_by or "")) for r in qs
    ]
