"""Every state change of the breach register (house rule 2), the affected-people query and the
notification clock's sweep.

The clock (UU PDP art. 46(1)): written notice to the affected people and to the authority within
`notify_within_hours` (default 3 × 24) of discovery. `check_clocks()` reminds the privacy owners
at 24 h and at 48 h after discovery and escalates once the deadline has passed; each step is
claimed by a conditional UPDATE before its message goes out, so any number of sweeps (cron, the
background chain, two workers) send it once."""

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.privacy.choices import AffectedScope, BreachStatus, DataCategory, NoticeAudience
from relasi.privacy.models import BreachIncident, BreachSubject

log = logging.getLogger("relasi.privacy")

# Parameters of the people list that are about the page, not about who is in it.
_PAGE_PARAMS = {"after", "before", "sort", "cols", "format", "page", "view"}
# Fields only the actions below write (never the edit form or the API body).
LOCKED_AFTER_FREEZE = ("affected_scope", "affected_query")
SNAPSHOT_CHUNK = 2000
REMINDERS = ((24, "reminded_24_at"), (48, "reminded_48_at"))


# --- the affected people ------------------------------------------------------------------------
def clean_query(text: str, user: Any = None) -> str:
    """The filter part of a people-list address or query string ("/customers/people/?city=X"
    or "city=X"), without paging, sorting or column choices. A saved view (`view=12`) the user
    may use is replaced by its filters, so later edits of the view do not change the incident."""
    text = (text or "").strip()
    if "?" in text:
        text = text.split("?", 1)[1]
    elif text.startswith(("/", "http")):
        text = urlsplit(text).query
    params = QueryDict(text.split("#", 1)[0], mutable=True)
    view_id = params.get("view", "")
    if view_id.isdigit() and user is not None:
        from relasi.core.models import SavedView

        saved = (
            SavedView.objects.filter(model_label="customers.person", pk=view_id)
            .filter(Q(owner=user) | Q(shared=True))
            .first()
        )
        if saved is not None:
            params = QueryDict(saved.query, mutable=True)
    for key in list(params):
        if key in _PAGE_PARAMS or not any(v.strip() for v in params.getlist(key)):
            del params[key]
    return params.urlencode()


def _filterset(query: str, user: Any) -> Any:
    from relasi.customers.filtersets import CustomerFilterSet
    from relasi.customers.models import Person

    fs = CustomerFilterSet(QueryDict(query), queryset=Person.objects.all(), request=None)
    if user is not None:
        fs.limit_to_user(user)
    return fs


def check_query(query: str, user: Any) -> None:
    fs = _filterset(query, user)
    if not fs.is_valid():
        raise ValidationError(
            {"affected_query": _("This filter is not valid: %(errors)s") % {"errors": fs.errors}}
        )


def live_people(incident: BreachIncident, user: Any = None) -> QuerySet:
    """The people the incident's filter selects now. The whole register is organisational, so
    the filter runs over every person, not only the ones the user owns (privacy roles see all);
    only the free-text search `q` goes through the user's search visibility."""
    from relasi.customers.models import Person

    if incident.affected_scope == AffectedScope.ALL:
        return Person.objects.all()
    if incident.affected_scope == AffectedScope.QUERY:
        fs = _filterset(incident.affected_query, user)
        return fs.qs if fs.is_valid() else Person.objects.none()
    return Person.objects.none()


def affected_people(incident: BreachIncident, user: Any = None) -> QuerySet:
    """The frozen list once the people were notified, else the live filter."""
    from relasi.customers.models import Customer

    if incident.snapshot_at is not None:
        return Customer.objects.filter(
            pk__in=BreachSubject.objects.filter(incident=incident).values("customer_id")
        )
    return live_people(incident, user)


def affected_rows(incident: BreachIncident, user: Any = None) -> Iterator[list[Any]]:
    """Name, e-mail, phone and preferred language of each affected person (for the mailing)."""
    people = affected_people(incident, user).order_by("name", "pk")
    fields = ("name", "primary_email", "primary_phone", "preferred_language")
    for row in people.values_list(*fields).iterator(chunk_size=SNAPSHOT_CHUNK):
        yield list(row)


def _recount(actor: Any, incident: BreachIncident) -> BreachIncident:
    count = affected_people(incident, actor).count()
    now = timezone.now()
    BreachIncident.objects.filter(pk=incident.pk).update(
        affected_count=count, affected_counted_at=now
    )
    incident.affected_count, incident.affected_counted_at = count, now
    return incident


def recount(actor: Any, incident: BreachIncident) -> BreachIncident:
    """Count the affected people again (the live filter; the frozen list once notified)."""
    return _recount(actor, incident)


def freeze_people(actor: Any, incident: BreachIncident) -> int:
    """Write the frozen list of affected people (once; later calls return its size)."""
    with transaction.atomic():
        locked = BreachIncident.objects.select_for_update().get(pk=incident.pk)
        if locked.snapshot_at is not None:
            return locked.subjects.count()
        ids = live_people(locked, actor).order_by().values_list("pk", flat=True)
        batch: list[BreachSubject] = []
        n = 0
        for pk in ids.iterator(chunk_size=SNAPSHOT_CHUNK):
            batch.append(BreachSubject(incident=locked, customer_id=pk))
            if len(batch) >= SNAPSHOT_CHUNK:
                BreachSubject.objects.bulk_create(batch)
                n += len(batch)
                batch = []
        BreachSubject.objects.bulk_create(batch)
        n += len(batch)
        now = timezone.now()
        BreachIncident.objects.filter(pk=locked.pk).update(
            snapshot_at=now, affected_count=n, affected_counted_at=now
        )
        audit.record(
            actor,
            AuditAction.UPDATE,
            locked,
            changes={"snapshot_at": [None, now.isoformat()], "affected_count": [None, n]},
            message=f"affected people frozen: {n}",
        )
    incident.refresh_from_db()
    return n


# --- incidents ------------------------------------------------------------------------------------
def _prepare(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "affected_query" in data:
        data["affected_query"] = clean_query(data.get("affected_query") or "", actor)
        if data.get("affected_scope") == AffectedScope.QUERY:
            check_query(data["affected_query"], actor)
    if "data_categories" in data:
        data["data_categories"] = check_choices(
            "data_categories", data.get("data_categories"), DataCategory.values
        )
    return data


def check_choices(name: str, values: Any, allowed: list[str]) -> list[str]:
    """A list of choice values, each known, sorted and without repeats (JSON list fields)."""
    chosen = sorted({str(v) for v in values or []})
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise ValidationError({name: _("Unknown values: %(v)s") % {"v": ", ".join(unknown)}})
    return chosen


def create_incident(actor: Any, data: dict[str, Any]) -> BreachIncident:
    data = _prepare(actor, data)
    data.setdefault("reported_by", actor if getattr(actor, "is_authenticated", False) else None)
    with transaction.atomic():
        incident = records.create_record(actor, BreachIncident, data, audit_message="breach")
        _recount(actor, incident)
        _notify_owners_of_new(incident, actor)
    from relasi.privacy import tasks_breach

    tasks_breach.ensure_sweep()
    return incident


def update_incident(
    actor: Any, incident: BreachIncident, data: dict[str, Any], expected_version: int | None = None
) -> BreachIncident:
    data = _prepare(actor, data)
    if incident.snapshot_at is not None:
        for name in LOCKED_AFTER_FREEZE:
            if name in data and data[name] != getattr(incident, name):
                raise ValidationError(
                    {name: _("The people were notified: the list of who was told is frozen.")}
                )
            data.pop(name, None)
    status = data.get("status")
    if status == BreachStatus.CLOSED and incident.closed_at is None:
        data["closed_at"] = timezone.now()
    elif status and status != BreachStatus.CLOSED:
        data["closed_at"] = None
    with transaction.atomic():
        updated = records.update_record(
            actor, incident, data, expected_version=expected_version, audit_message="breach"
        )
        if {"affected_scope", "affected_query"} & set(data):
            _recount(actor, updated)
    return updated


def delete_incident(actor: Any, incident: BreachIncident) -> None:
    records.delete_record(actor, incident, audit_message="breach")


def record_notice(
    actor: Any,
    incident: BreachIncident,
    audience: str,
    *,
    at: dt.datetime | None = None,
    reference: str = "",
) -> BreachIncident:
    """Record that the authority or the people were notified. Notifying the people freezes the
    list of who was told; once both are told, an open or contained incident becomes notified."""
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("A notice cannot be sent in the future.")})
    if at < incident.discovered_at - dt.timedelta(days=1):
        raise ValidationError({"at": _("The notice cannot precede the discovery.")})
    with transaction.atomic():
        if audience == NoticeAudience.PEOPLE:
            if incident.affected_scope == AffectedScope.UNKNOWN:
                raise ValidationError(
                    {"audience": _("Say who is affected before recording their notification.")}
                )
            freeze_people(actor, incident)
            data: dict[str, Any] = {"people_notified_at": at, "people_notice_channel": reference}
        elif audience == NoticeAudience.AUTHORITY:
            data = {"authority_notified_at": at, "authority_reference": reference}
        else:
            raise ValidationError({"audience": _("Unknown recipient.")})
        incident.refresh_from_db()
        done = all(
            data.get(f) or getattr(incident, f)
            for f in ("authority_notified_at", "people_notified_at")
        )
        if done and incident.status in (BreachStatus.OPEN, BreachStatus.CONTAINED):
            data["status"] = BreachStatus.NOTIFIED
        return records.update_record(actor, incident, data, audit_message=f"notice: {audience}")


def record_letter(actor: Any, incident: BreachIncident, audience: str, lang: str, fmt: str) -> None:
    """A generated letter was downloaded (who took which notice, in which language)."""
    audit.record(
        actor,
        AuditAction.EXPORT,
        incident,
        message=f"letter to {audience} ({lang}, {fmt})",
    )


# --- the clock's sweep ----------------------------------------------------------------------------
def privacy_owners() -> list[Any]:
    """Active users whose role has the privacy module (and superusers)."""
    from relasi.accounts.models import Role, User

    roles = [r.pk for r in Role.objects.all() if r.permissions.get("privacy")]
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role__in=roles) | Q(is_superuser=True))
        .order_by("pk")
    )


def open_incidents() -> QuerySet[BreachIncident]:
    """Incidents whose clock still runs: not closed, and not both notices recorded."""
    return BreachIncident.objects.exclude(status=BreachStatus.CLOSED).filter(
        Q(authority_notified_at__isnull=True) | Q(people_notified_at__isnull=True)
    )


def _claim(incident: BreachIncident, fields: list[str], now: dt.datetime) -> bool:
    """Mark the steps done; True for the one caller whose UPDATE changed the row."""
    unclaimed = Q(**{f"{fields[-1]}__isnull": True})
    return bool(
        BreachIncident.objects.filter(unclaimed, pk=incident.pk).update(
            **dict.fromkeys(fields, now)
        )
    )


def _missing(incident: BreachIncident) -> str:
    authority = incident.authority_notified_at is None
    people = incident.people_notified_at is None
    if authority and people:
        return _("the authority and the affected people")
    return _("the authority") if authority else _("the affected people")


def _hours(seconds: float) -> int:
    return max(0, int(seconds // 3600))


def _send(incident: BreachIncident, stage: str, now: dt.datetime) -> int:
    from relasi.activities.actions import notify_user

    url = incident.get_absolute_url()
    deadline = incident.deadline

    def compose() -> tuple[str, str]:
        from django.utils.formats import date_format

        when = date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        args = {
            "title": str(incident),
            "hours": _hours((deadline - now).total_seconds()),
            "late": _hours((now - deadline).total_seconds()),
            "deadline": when,
            "missing": _missing(incident),
        }
        if stage == "escalation":
            text = _("OVERDUE: breach %(title)s was due to be notified by %(deadline)s") % args
            body = (
                _(
                    "The 3 × 24-hour deadline of UU PDP art. 46 for breach %(title)s passed "
                    "%(late)s hours ago. Still to be notified: %(missing)s. Send the notices now and "
                    "record them on the incident, with the reason for the delay."
                )
                % args
            )
        else:
            text = _("Breach %(title)s: %(hours)s hours left to notify") % args
            body = (
                _(
                    "Breach %(title)s must be notified by %(deadline)s (UU PDP art. 46: 3 × 24 "
                    "hours after discovery). Still to be notified: %(missing)s. The letters and the "
                    "list of affected people are on the incident page."
                )
                % args
            )
        return text, body

    sent = 0
    for user in privacy_owners():
        if notify_user(user, f"privacy.breach.{stage}", url, compose) is not None:
            sent += 1
    audit.record(
        None,
        AuditAction.UPDATE,
        incident,
        message=f"clock: {stage} sent to {sent} privacy owners",
    )
    return sent


def _notify_owners_of_new(incident: BreachIncident, actor: Any) -> None:
    from relasi.activities.actions import notify_user

    def compose() -> tuple[str, str]:
        text = _("New breach recorded: %(title)s") % {"title": str(incident)}
        body = _(
            "A personal data breach was recorded. The authority and the affected people must be "
            "notified within %(hours)s hours of its discovery (UU PDP art. 46)."
        ) % {"hours": incident.notify_within_hours}
        return text, body

    for user in privacy_owners():
        if user.pk != getattr(actor, "pk", None):
            notify_user(user, "privacy.breach.new", incident.get_absolute_url(), compose)


def check_clocks(now: dt.datetime | None = None) -> dict[str, int]:
    """One sweep over the running clocks. When a sweep comes late (the worker was down), only
    the latest step due is sent and the earlier ones are marked done with it."""
    now = now or timezone.now()
    counts = {"reminders": 0, "escalations": 0}
    for incident in open_incidents().order_by("discovered_at", "pk")[:1000]:
        if now >= incident.deadline:
            fields = [f for _h, f in REMINDERS if getattr(incident, f) is None]
            if incident.escalated_at is None and _claim(incident, [*fields, "escalated_at"], now):
                _send(incident, "escalation", now)
                counts["escalations"] += 1
            continue
        elapsed = now - incident.discovered_at
        due = [f for h, f in REMINDERS if elapsed >= dt.timedelta(hours=h)]
        if not due or getattr(incident, due[-1]) is not None:
            continue
        pending = [f for f in due if getattr(incident, f) is None]
        if _claim(incident, pending, now):
            _send(incident, pending[-1].removeprefix("reminded_").removesuffix("_at") + "h", now)
            counts["reminders"] += 1
    if any(counts.values()):
        log.info("breach clock sweep", extra={"event": "privacy.breach_sweep", "details": counts})
    return counts
