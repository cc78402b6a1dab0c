"""A record's change history as people read it: the audit trail (`AuditEvent.changes`, stored as
{field: [before, after]} with JSON values) turned into field labels, translated choice values,
related records' names, Yes/No, localised numbers and dates, and times in the reader's time zone
and language format. Every record page shows it through `core/_history_panel.html`."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from relasi.core import formatting
from relasi.core.choices import AuditAction
from relasi.core.models import AuditEvent

EMPTY = "—"
LIMIT = 100


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: dt.datetime  # in the reader's time zone
    actor: str
    action: str
    message: str
    changes: list[Change] = field(default_factory=list)
    created: bool = False  # a new record: its values alone, no "before" column

    @property
    def at_text(self) -> str:
        return date_format(self.at, "DATETIME_FORMAT")


def reader_zone(user: Any) -> dt.tzinfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or timezone.get_current_timezone_name())
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _parse(text: str, kind: type[dt.date]) -> Any:
    try:
        return kind.fromisoformat(text)  # datetime.fromisoformat for datetimes
    except (TypeError, ValueError):
        return None


def render_value(f: models.Field | None, value: Any, zone: dt.tzinfo) -> str:
    """One recorded value as the reader should see it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if getattr(f, "sealed", False):  # recorded as a marker (core/crypto.py), never the value
        return str(_("(encrypted value)"))
    if f is not None and getattr(f, "choices", None):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool) or isinstance(f, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = _parse(value, dt.datetime)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return date_format(moment.astimezone(zone), "DATETIME_FORMAT")
    if isinstance(f, models.DateField) and isinstance(value, str):
        day = _parse(value, dt.date)
        if day is not None:
            return date_format(day, "DATE_FORMAT")
    if isinstance(f, models.DecimalField | models.IntegerField | models.FloatField):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return str(value)
        digits = 0 if number == int(number) else getattr(f, "decimal_places", 2) or 2
        return formatting.number(value, digits)
    if f is not None and f.is_relation and isinstance(value, int) and f.related_model:
        # Older entries recorded a related record's id; show its name when it still exists.
        related = f.related_model._default_manager.filter(pk=value).first()  # type: ignore[union-attr]
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, "")) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or EMPTY
    return str(value)


def _label(model: type[models.Model], name: str) -> tuple[str, models.Field | None]:
    try:
        f: Any = model._meta.get_field(name)
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " ")), None
    if not isinstance(f, models.Field):  # a reverse relation ("lines"): its records' name
        return capfirst(str(f.related_model._meta.verbose_name_plural)), None
    return capfirst(str(f.verbose_name)), f


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, value


def _custom_changes(model: type[models.Model], before: Any, after: Any) -> list[Change]:
    from relasi.core import customfields

    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    defs = {cf.key: cf for cf in customfields.definitions(model)}
    out = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        cf = defs.get(key)
        old, new = before.get(key), after.get(key)
        if cf is None:
            out.append(Change(capfirst(key), str(old or EMPTY), str(new or EMPTY)))
            continue
        out.append(Change(cf.display_label, _custom_value(cf, old), _custom_value(cf, new)))
    return out


def _custom_value(cf: Any, value: Any) -> str:
    from relasi.core import customfields

    return EMPTY if value in (None, "", []) else str(customfields.display(cf, value))


def changes_of(model: type[models.Model], event: AuditEvent, zone: dt.tzinfo) -> list[Change]:
    return describe(model, event.changes, zone)


def describe(
    model: type[models.Model], recorded: Any, zone: dt.tzinfo | None = None
) -> list[Change]:
    """`AuditEvent.changes` of a `model` record as labelled, readable before/after pairs."""
    zone = zone or timezone.get_current_timezone()
    out: list[Change] = []
    recorded = recorded if isinstance(recorded, dict) else {}
    for name, value in recorded.items():
        before, after = _pair(value)
        if name == "custom":
            out.extend(_custom_changes(model, before, after))
            continue
        label, f = _label(model, name)
        shown = Change(label, render_value(f, before, zone), render_value(f, after, zone))
        if shown.before == shown.after == EMPTY:
            continue  # a blank field on a new record says nothing
        out.append(shown)
    return out


def readable(obj: models.Model, user: Any, limit: int = LIMIT) -> list[Entry]:
    """The latest `limit` changes of `obj`, newest first, for `user` to read."""
    zone = reader_zone(user)
    model = obj._meta.model
    events = AuditEvent.objects.for_object(obj).select_related("actor")[:limit]
    entries = []
    for event in events:
        actor = event.actor
        name = (actor.get_full_name() or actor.get_username()) if actor else ""
        entries.append(
            Entry(
                at=event.at.astimezone(zone),
                actor=name or (event.actor_label if event.actor_label != "system" else "Relasi"),
                action=str(event.get_action_display()),
                message=event.message,
                changes=changes_of(model, event, zone),
                created=event.action == AuditAction.CREATE,
            )
        )
    return entries
