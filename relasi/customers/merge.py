"""Merging two customers into one, and undoing it.

`merge_customers` moves every row that points at the merged customer to the survivor —
e-mails and phones (deduplicated), addresses, memberships, relationships (no self-links, no
duplicates), lifecycle history, notes, attachments, contact permissions, group memberships,
tags, referrals and, through `register_related`, whatever later apps attach (deals, tickets,
orders …) — then deletes the merged customer. A `MergeRecord` keeps a serialised snapshot of
the merged customer and of every row deleted as a duplicate, plus the ids of every row moved,
so `undo_merge` can recreate the merged customer with its id and move everything back.

Audit events are not moved: they keep pointing at the merged id, and the survivor gets an
event "merged #id into this record".
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.core.records import ConflictError
from relasi.customers.models import (
    Address,
    Attachment,
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    EmailAddress,
    GroupMembership,
    LifecycleChange,
    Membership,
    MergeRecord,
    Note,
    PhoneNumber,
    Relationship,
)

# Fields the user chooses between (radio per differing field); everything else is unioned.
MERGE_FIELDS = [
    "name",
    "first_name",
    "last_name",
    "customer_type",
    "lifecycle_stage",
    "source",
    "date_of_birth",
    "gender",
    "occupation",
    "income_band",
    "region",
    "preferred_channel",
    "preferred_language",
    "legal_name",
    "industry",
    "website",
    "tax_id",
    "employee_count",
    "owner",
    "team",
]
_UNION_LISTS = ["interests", "activities", "opinions"]

# Rows moved with a plain UPDATE (no uniqueness to respect).
_SIMPLE_MOVES: list[tuple[type[models.Model], str]] = [
    (Address, "customer"),
    (LifecycleChange, "customer"),
    (Note, "customer"),
    (Attachment, "customer"),
    (Customer, "referred_by"),
    (MergeRecord, "survivor"),
]
_REGISTRY: list[tuple[type[models.Model], str]] = []


def register_related(model: type[models.Model], field_name: str) -> None:
    """Declare that `model.field_name` (a foreign key to Customer) follows a merge.

    Later apps call this from their AppConfig.ready() for deals, tickets, orders …"""
    field = model._meta.get_field(field_name)
    if not field.is_relation or field.related_model is not Customer:
        raise ValueError(f"{model.__name__}.{field_name} is not a foreign key to Customer")
    if (model, field_name) not in _REGISTRY:
        _REGISTRY.append((model, field_name))


# Tables derived from others (the consent state from the consent ledger): a merge deletes the
# merged customer's rows and the rebuild function recomputes them for the customers given, after
# the rows they derive from have moved (and again after an undo).
_DERIVED: list[tuple[type[models.Model], str, Callable[[list[int]], Any]]] = []


def register_derived(
    model: type[models.Model], field_name: str, rebuild: Callable[[list[int]], Any]
) -> None:
    if not any(m is model and f == field_name for m, f, _r in _DERIVED):
        _DERIVED.append((model, field_name, rebuild))


def unregister_related(model: type[models.Model], field_name: str) -> None:
    if (model, field_name) in _REGISTRY:
        _REGISTRY.remove((model, field_name))


_HANDLED: set[tuple[type[models.Model], str]] = {
    (EmailAddress, "customer"),
    (PhoneNumber, "customer"),
    (Membership, "person"),
    (Membership, "organization"),
    (Relationship, "from_customer"),
    (Relationship, "to_customer"),
    (GroupMembership, "customer"),
    (DuplicateCandidate, "customer_a"),
    (DuplicateCandidate, "customer_b"),
}


def related_moves() -> list[tuple[type[models.Model], str]]:
    """Every (model, fk) moved with a plain UPDATE: built-ins, the registry, and any other
    foreign key to Customer (so a model someone forgot to register is moved, never deleted)."""
    moves = list(_SIMPLE_MOVES) + [m for m in _REGISTRY if m not in _SIMPLE_MOVES]
    derived = {(m, f) for m, f, _r in _DERIVED}
    for rel in Customer._meta.related_objects:
        if not isinstance(rel, models.ManyToOneRel) or rel.field.many_to_many:
            continue
        key = (rel.related_model, rel.field.name)
        if key in derived:
            continue
        if key not in moves and key not in _HANDLED and not rel.related_model._meta.auto_created:
            moves.append(key)  # type: ignore[arg-type]
    return moves


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def default_choices(survivor: Customer, merged: Customer) -> dict[str, int]:
    """Survivor's value, unless it is blank and the merged one's is not (fill the blanks)."""
    out = {}
    for name in MERGE_FIELDS:
        field = Customer._meta.get_field(name)
        mine = getattr(survivor, field.attname)
        theirs = getattr(merged, field.attname)
        out[name] = merged.pk if mine in (None, "") and theirs not in (None, "") else survivor.pk
    for key in merged.custom or {}:
        if key not in (survivor.custom or {}):
            out[f"custom.{key}"] = merged.pk
    return out


def differing_fields(a: Customer, b: Customer) -> list[str]:
    names = [
        n
        for n in MERGE_FIELDS
        if getattr(a, Customer._meta.get_field(n).attname)
        != getattr(b, Customer._meta.get_field(n).attname)
    ]
    custom_a, custom_b = a.custom or {}, b.custom or {}
    names += [
        f"custom.{k}"
        for k in sorted(set(custom_a) | set(custom_b))
        if custom_a.get(k) != custom_b.get(k)
    ]
    return names


def _chosen_data(
    survivor: Customer, merged: Customer, choices: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Field values to write on the survivor, and the custom-field dict."""
    picks = {**default_choices(survivor, merged), **{k: int(v) for k, v in choices.items()}}
    bad = [k for k, v in picks.items() if v not in (survivor.pk, merged.pk)]
    if bad:
        raise ValidationError({k: [_("Choose one of the two records.")] for k in bad})
    data: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        if picks.get(name) == merged.pk:
            data[name] = getattr(merged, name)
            if name == "lifecycle_stage":
                data["lifecycle_changed_at"] = merged.lifecycle_changed_at
    for name in _UNION_LISTS:
        union = list(dict.fromkeys([*getattr(survivor, name), *getattr(merged, name)]))
        if union != getattr(survivor, name):
            data[name] = union
    custom = dict(survivor.custom or {})
    for key, value in (merged.custom or {}).items():
        if picks.get(f"custom.{key}") == merged.pk:
            custom[key] = value
    if custom != (survivor.custom or {}):
        data["custom"] = custom
    # Sensitive fields fill the survivor's blanks, moved as tokens (never decrypted here).
    for name, index in (
        ("national_id", "national_id_index"),
        ("bank_account", "bank_account_index"),
    ):
        if not getattr(survivor, name) and getattr(merged, name):
            data[name], data[index] = getattr(merged, name), getattr(merged, index)
            if name == "bank_account" and not survivor.bank_name:
                data["bank_name"] = merged.bank_name
    if merged.is_blacklisted and not survivor.is_blacklisted:  # never lose a blacklist
        for name in ("is_blacklisted", "blacklist_reason", "blacklist_note", "blacklisted_at"):
            data[name] = getattr(merged, name)
        data["blacklisted_by"] = merged.blacklisted_by
    return data, picks


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds so an undo restores timestamps exactly."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _serialise(objs: Iterable[models.Model]) -> list[dict[str, Any]]:
    rows = serializers.serialize("python", list(objs))
    return json.loads(json.dumps(rows, cls=_Encoder))


def _deserialise(rows: list[dict[str, Any]]) -> Iterator[Any]:
    return serializers.deserialize("python", rows)


class _Mover:
    """Moves rows from the merged customer to the survivor, remembering how to move them back."""

    def __init__(self, survivor: Customer, merged: Customer) -> None:
        self.survivor, self.merged = survivor, merged
        self.moved: list[list[Any]] = []  # [model label, field name, [pks]]
        self.deleted: list[models.Model] = []
        self.unprimaried: list[list[Any]] = []  # [model label, pk]

    def move(self, qs: models.QuerySet, field: str) -> None:
        pks = list(qs.values_list("pk", flat=True))
        if pks:
            qs.model._default_manager.filter(pk__in=pks).update(**{field: self.survivor})
            self.moved.append([_label(qs.model), field, pks])

    def drop(self, rows: Iterable[models.Model]) -> None:
        for row in rows:
            self.deleted.append(row)
            type(row)._default_manager.filter(pk=row.pk).delete()

    def demote_primary(self, model: type[models.Model]) -> None:
        """Moved rows stop being primary when the survivor already has a primary one."""
        if model._default_manager.filter(customer=self.survivor, is_primary=True).exists():
            rows = model._default_manager.filter(customer=self.merged, is_primary=True)
            for pk in rows.values_list("pk", flat=True):
                self.unprimaried.append([_label(model), pk])
            rows.update(is_primary=False)

    def contacts(self) -> None:
        have_emails = {e.lower() for e in self.survivor.emails.values_list("email", flat=True)}
        dupes = [e for e in self.merged.emails.all() if e.email.lower() in have_emails]
        self.drop(dupes)
        self.demote_primary(EmailAddress)
        self.move(EmailAddress.objects.filter(customer=self.merged), "customer")
        have_phones = set(self.survivor.phones.values_list("number", flat=True))
        self.drop([p for p in self.merged.phones.all() if p.number in have_phones])
        self.demote_primary(PhoneNumber)
        self.move(PhoneNumber.objects.filter(customer=self.merged), "customer")
        self.demote_primary(Address)

    def memberships(self) -> None:
        s, m = self.survivor, self.merged
        for own, other in (("person", "organization"), ("organization", "person")):
            existing = set(
                Membership.objects.filter(**{own: s}).values_list(f"{other}_id", flat=True)
            )
            rows = list(Membership.objects.filter(**{own: m}))
            self.drop(r for r in rows if getattr(r, f"{other}_id") in existing | {s.pk})
            self.move(Membership.objects.filter(**{own: m}), own)

    def relationships(self) -> None:
        s, m = self.survivor, self.merged
        for own, other in (("from_customer", "to_customer"), ("to_customer", "from_customer")):
            existing = set(
                Relationship.objects.filter(**{own: s}).values_list(f"{other}_id", "kind")
            )
            rows = list(Relationship.objects.filter(**{own: m}))
            self.drop(
                r
                for r in rows
                if getattr(r, f"{other}_id") in (s.pk, m.pk)
                or (getattr(r, f"{other}_id"), r.kind) in existing
            )
            self.move(Relationship.objects.filter(**{own: m}), own)

    def groups(self) -> None:
        in_groups = set(self.survivor.group_memberships.values_list("group_id", flat=True))
        self.drop(r for r in self.merged.group_memberships.all() if r.group_id in in_groups)
        self.move(GroupMembership.objects.filter(customer=self.merged), "customer")

    def simple(self) -> None:
        for model, field in related_moves():
            qs = model._default_manager.filter(**{field: self.merged})
            if model is Customer:
                qs = qs.exclude(pk=self.survivor.pk)
            self.move(qs, field)


def merge_customers(
    actor: Any,
    survivor: Customer,
    merged: Customer,
    choices: dict[str, Any] | None = None,
    *,
    expected_versions: tuple[int | None, int | None] = (None, None),
) -> MergeRecord:
    """Merge `merged` into `survivor` in one transaction. Raises ConflictError when either
    record changed since the user loaded them (versions), ValidationError on bad input."""
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    if survivor.kind != merged.kind:
        raise ValidationError(_("A person and an organisation cannot be merged."))
    from relasi.customers import search
    from relasi.customers.actions import refresh_denormalised

    with transaction.atomic():
        locked = {
            c.pk: c
            for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
        }
        if len(locked) != 2:
            raise ConflictError
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        for obj, expected in zip((survivor, merged), expected_versions, strict=True):
            if expected is not None and obj.version != int(expected):
                raise ConflictError
        data, picks = _chosen_data(survivor, merged, choices or {})
        before_survivor = _serialise([survivor])
        merged_snapshot = _serialise([merged])
        mover = _Mover(survivor, merged)
        mover.contacts()
        mover.memberships()
        mover.relationships()
        mover.groups()
        if survivor.referred_by_id == merged.pk:
            data["referred_by"] = None
        for model, field_name, _rebuild in _DERIVED:
            model._default_manager.filter(**{field_name: merged}).delete()
        mover.simple()
        have_tags = set(survivor.tags.values_list("pk", flat=True))
        added_tags = [t for t in merged.tags.values_list("pk", flat=True) if t not in have_tags]
        survivor.tags.add(*added_tags)
        # Pairs involving the merged record go with it (and come back on undo, reopened).
        mover.drop(
            DuplicateCandidate.objects.filter(
                models.Q(customer_a=merged) | models.Q(customer_b=merged)
            )
        )
        record = MergeRecord.objects.create(
            survivor=survivor,
            merged_id=merged.pk,
            merged_name=merged.name[:200],
            choices=picks,
            merged_by=actor if getattr(actor, "pk", None) else None,
            snapshot={
                "customer": merged_snapshot,
                "survivor_before": before_survivor,
                "survivor_fields": sorted(data),
                "deleted": _serialise(mover.deleted),
                "moved": mover.moved,
                "unprimaried": mover.unprimaried,
                "tags_added": added_tags,
            },
        )
        merged_id = merged.pk
        audit.record(
            actor,
            AuditAction.DELETE,
            merged,
            changes=audit.diff(audit.snapshot(merged), {}),
            message=f"merged into #{survivor.pk}",
        )
        merged.delete()
        for key, value in data.items():
            setattr(survivor, key, value)
        survivor.full_clean(exclude=["tags"])
        survivor.updated_at = timezone.now()
        survivor.save()
        Customer.objects.filter(pk=survivor.pk).update(version=F("version") + 1)
        survivor.refresh_from_db()
        changes = audit.diff(before_survivor[0]["fields"], _serialise([survivor])[0]["fields"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            survivor,
            changes=changes,
            message=f"merged #{merged_id} ({record.merged_name}) into this record",
        )
        refresh_denormalised(survivor)
        for _model, _field, rebuild in _DERIVED:
            rebuild([survivor.pk])
        search.unindex_customers([merged_id])
    return record


def undo_merge(actor: Any, record: MergeRecord) -> Customer:
    """Recreate the merged customer with its id and rows, move back what was moved and restore
    the survivor's chosen fields."""
    from relasi.customers.actions import refresh_denormalised

    if record.undone_at:
        raise ValidationError(_("This merge has already been undone."))
    snap = record.snapshot
    with transaction.atomic():
        if Customer.objects.filter(pk=record.merged_id).exists():
            raise ValidationError(_("A record with the merged record's id exists again."))
        survivor = Customer.objects.select_for_update().get(pk=record.survivor_id)
        for obj in _deserialise(snap["customer"]):
            obj.save()
        merged = Customer.objects.get(pk=record.merged_id)
        for label, field, pks in snap["moved"]:
            model = apps.get_model(label)
            model._default_manager.filter(pk__in=pks).update(**{field: merged})
        for obj in _deserialise(snap["deleted"]):
            obj.save()
        DuplicateCandidate.objects.filter(
            customer_a_id=min(survivor.pk, merged.pk), customer_b_id=max(survivor.pk, merged.pk)
        ).update(status=DuplicateStatus.OPEN, decided_at=None)
        for label, pk in snap["unprimaried"]:
            apps.get_model(label)._default_manager.filter(pk=pk).update(is_primary=True)
        survivor.tags.remove(*snap["tags_added"])
        before = next(_deserialise(snap["survivor_before"])).object
        restore = {}
        for name in snap["survivor_fields"]:
            field = Customer._meta.get_field(name)
            restore[field.attname] = getattr(before, field.attname)
        if restore:
            Customer.objects.filter(pk=survivor.pk).update(**restore)
        Customer.objects.filter(pk=survivor.pk).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        record.undone_at = timezone.now()
        record.undone_by = actor if getattr(actor, "pk", None) else None
        record.save(update_fields=["undone_at", "undone_by"])
        message = f"undid merge of #{merged.pk} into #{survivor.pk}"
        audit.record(actor, AuditAction.UPDATE, survivor, message=message)
        audit.record(actor, AuditAction.CREATE, merged, message=message)
        refresh_denormalised(survivor)
        refresh_denormalised(merged)
        for _model, _field, rebuild in _DERIVED:
            rebuild([survivor.pk, merged.pk])
    return merged


def bulk_merge(
    actor: Any,
    candidates: Iterable[DuplicateCandidate],
    *,
    can_merge: Callable[[DuplicateCandidate], bool] = lambda c: True,
) -> tuple[int, int]:
    """Merge each pair (the older record survives, blanks filled from the newer). Each merge
    is its own transaction and audited; pairs already gone or changed are skipped.
    Returns (merged, skipped)."""
    done = skipped = 0
    for cand in candidates:
        pair = Customer.objects.in_bulk([cand.customer_a_id, cand.customer_b_id])
        if len(pair) != 2 or not can_merge(cand):
            skipped += 1
            continue
        try:
            merge_customers(actor, pair[cand.customer_a_id], pair[cand.customer_b_id])
        except (ConflictError, ValidationError):
            skipped += 1
        else:
            done += 1
    return done, skipped


def dismiss(actor: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """ "Not a duplicate": remembered, so later scans never propose the pair again."""
    candidate.status = DuplicateStatus.DISMISSED
    candidate.decided_at = timezone.now()
    candidate.decided_by = actor if getattr(actor, "pk", None) else None
    candidate.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        candidate.customer_a,
        message=f"#{candidate.customer_a_id} and #{candidate.customer_b_id} marked not duplicates",
    )
    return candidate


def reassign_and_delete(actor: Any, customer: Customer, target: Customer) -> dict[str, int]:
    """Move every record that keeps `customer` from being deleted (deals, quotes, orders …:
    foreign keys with PROTECT or RESTRICT) to `target`, then delete `customer`; one
    transaction, audited on both. Returns {verbose plural: rows moved}."""
    from relasi.customers import actions

    if target.pk == customer.pk or target.kind != customer.kind:
        raise ValidationError(_("Choose another record of the same kind."))
    moved: dict[str, int] = {}
    with transaction.atomic():
        for rel in Customer._meta.related_objects:
            if not isinstance(rel, models.ManyToOneRel):
                continue
            if rel.on_delete not in (models.PROTECT, models.RESTRICT):
                continue
            rows = rel.related_model._base_manager.filter(**{rel.field.name: customer})
            n = rows.update(**{rel.field.name: target})
            if n:
                name = str(rel.related_model._meta.verbose_name_plural)
                moved[name] = moved.get(name, 0) + n
        audit.record(
            actor,
            AuditAction.UPDATE,
            target,
            changes={"reassigned_from": [customer.pk, None], "moved": [None, moved]},
            message=f"received the records of #{customer.pk} {customer.name} before its deletion",
        )
        actions.delete_customer(actor, customer)
    return moved
