"""Generic write operations every domain action builds on: create, versioned update,
delete, each atomic and each writing its audit event."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.core.models import AuditEvent

M = TypeVar("M", bound=models.Model)


class ConflictError(Exception):
    """The record changed since the user loaded it (optimistic locking, fault F8).

    The refused attempt belongs in the record's history. It is written when the conflict is
    detected; if an enclosing transaction (a domain action) then rolls back, the view or API
    handler that turns the error into a 409 calls `ensure_recorded()` to write it again."""

    message = _(
        "This record was changed by someone else after you opened it. Reload it and try again."
    )

    def __init__(
        self,
        actor: Any = None,
        obj: models.Model | None = None,
        changes: Any = None,
        note: str = "",
    ) -> None:
        super().__init__(str(self.message))
        self.actor = actor
        self.obj = obj
        self.changes = changes or {}
        self.note = note
        self.event_pk: int | None = None

    def ensure_recorded(self) -> None:
        if self.obj is None:
            return
        if self.event_pk and AuditEvent.objects.filter(pk=self.event_pk).exists():
            return
        event = audit.record(
            self.actor, AuditAction.UPDATE, self.obj, changes=self.changes, message=self.note
        )
        self.event_pk = event.pk


def _tag_names(obj: models.Model) -> list[str]:
    return sorted(t.name for t in obj.tags.all()) if hasattr(obj, "tags") else []


def create_record(
    actor: Any,
    model: type[M],
    data: dict[str, Any],
    *,
    tags: Iterable[Any] | None = None,
    audit_message: str = "",
) -> M:
    with transaction.atomic():
        obj = model(**data)
        obj.full_clean(exclude=["tags"])
        obj.save()
        if tags is not None:
            obj.tags.set(list(tags))  # type: ignore[attr-defined]
        after = audit.snapshot(obj)
        if tags:
            after["tags"] = _tag_names(obj)
        audit.record(
            actor, AuditAction.CREATE, obj, changes=audit.diff({}, after), message=audit_message
        )
    return obj


def update_record(
    actor: Any,
    obj: M,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    tags: Iterable[Any] | None = None,
    audit_message: str = "",
) -> M:
    """Apply `data` to `obj`; if `expected_version` is given and the stored version differs,
    raise ConflictError without writing. Returns the refreshed object."""
    # obj._meta.model, not type(obj): request.user is a lazy proxy.
    model: type[M] = obj._meta.model  # type: ignore[assignment]
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        stored_version = getattr(current, "version", None)
        stale = (
            versioned and expected_version is not None and stored_version != int(expected_version)
        )
        if not stale:
            return _apply_update(actor, current, data, versioned, tags, audit_message)
    conflict = ConflictError(
        actor,
        current,
        changes={k: [None, v] for k, v in audit.jsonable(data).items()},
        note=f"rejected: record changed by someone else (had version {expected_version}, "
        f"stored version {stored_version})",
    )
    conflict.ensure_recorded()
    raise conflict


def _apply_update(
    actor: Any,
    current: M,
    data: dict[str, Any],
    versioned: bool,
    tags: Iterable[Any] | None,
    audit_message: str,
) -> M:
    model = type(current)
    before = audit.snapshot(current)
    before_tags = _tag_names(current) if tags is not None else None
    for key, value in data.items():
        setattr(current, key, value)
    current.full_clean(exclude=["tags"])
    fields = list(data)
    if versioned:
        current.version = F("version") + 1  # type: ignore[attr-defined]
        fields.append("version")
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        current.updated_at = timezone.now()  # type: ignore[attr-defined]
        fields.append("updated_at")
    current.save(update_fields=fields)
    current.refresh_from_db()
    if tags is not None:
        current.tags.set(list(tags))  # type: ignore[attr-defined]
    changes = audit.diff(before, audit.snapshot(current))
    if tags is not None and before_tags != _tag_names(current):
        changes["tags"] = [before_tags, _tag_names(current)]
    if changes:
        audit.record(actor, AuditAction.UPDATE, current, changes=changes, message=audit_message)
    return current


@dataclass
class Blocker:
    """Records of one type that keep another from being deleted."""

    label: str  # model label, e.g. "sales.deal"
    name: str  # its verbose plural, translated
    count: int
    examples: list[tuple[Any, str]]  # (pk, str(obj)) of the first few


class InUseError(Exception):
    """Deleting `obj` was refused: other records still point at it (PROTECT / RESTRICT).
    `blockers` says what holds it, per type; `options` names what the caller may offer instead
    (set by the domain action: "reassign", "archive", "merge" …)."""

    message = _("This record is still used by other records, so it was not deleted.")

    def __init__(self, obj: models.Model, blockers: list[Blocker], options: Any = ()) -> None:
        super().__init__(str(self.message))
        self.obj = obj
        self.blockers = blockers
        self.options = list(options)

    def summary(self) -> str:
        return ", ".join(f"{b.count} {b.name}" for b in self.blockers)


def _blockers(exc: ProtectedError | RestrictedError, examples: int = 5) -> list[Blocker]:
    objs = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for o in objs:
        by_model.setdefault(o._meta.model, []).append(o)
    return [
        Blocker(
            label=model._meta.label_lower,
            name=str(model._meta.verbose_name_plural),
            count=len(rows),
            examples=[(r.pk, str(r)) for r in sorted(rows, key=lambda r: r.pk)[:examples]],
        )
        for model, rows in sorted(by_model.items(), key=lambda kv: kv[0]._meta.label_lower)
    ]


def delete_record(actor: Any, obj: models.Model, *, audit_message: str = "") -> None:
    """Delete `obj` with its audit event; raises InUseError (nothing written) when other
    records protect it."""
    try:
        with transaction.atomic():
            before = audit.snapshot(obj)
            audit.record(
                actor,
                AuditAction.DELETE,
                obj,
                changes=audit.diff(before, {}),
                message=audit_message,
            )
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise InUseError(obj, _blockers(exc)) from exc
