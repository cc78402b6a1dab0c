"""Every state change of data-subject requests (house rule 2) and their deadline clock.

The clock: a request is answered within `due_hours` of its receipt (PRIVACY_DSR_HOURS per type,
default 3 × 24 h — UU PDP art. 30, 32, 40, 41). `check_clocks()` reminds the assignee 24 h and
48 h after receipt and escalates to the administrators once the deadline has passed; each step is
claimed by a conditional UPDATE before its message goes out, so any number of sweeps send it
once. Nothing is disclosed (export) or erased before the identity is verified."""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.privacy.models import DataRequest
from relasi.privacy.models.dsr import (
    OPEN_STATUSES,
    RequestKind,
    RequestStatus,
    VerificationMethod,
    hours_for,
)

log = logging.getLogger("relasi.privacy")

REMINDERS = ((24, "reminded_24_at"), (48, "reminded_48_at"))
EDITABLE = ("requester_name", "requester_email", "requester_phone", "details", "purposes")


def grace_hours() -> int:
    """PRIVACY_DSR_ERASURE_GRACE_HOURS: 0 (default) erases at once; otherwise the erasure is
    scheduled and can be cancelled until then."""
    return max(0, int(getattr(settings, "PRIVACY_DSR_ERASURE_GRACE_HOURS", 0) or 0))


# --- who handles requests -------------------------------------------------------------------------
def _active_users() -> QuerySet:
    from relasi.accounts.models import User

    return User.objects.filter(is_active=True).order_by("pk")


def administrators() -> list[Any]:
    users = _active_users()
    return list(users.filter(Q(role__slug="administrator") | Q(is_superuser=True)))


def default_assignee() -> Any:
    """The first active user with the data protection officer role, else an administrator."""
    dpo = _active_users().filter(role__slug="dpo").first()
    if dpo is not None:
        return dpo
    admins = administrators()
    return admins[0] if admins else None


# --- requests -------------------------------------------------------------------------------------
def _check_purposes(kind: str, purposes: Any) -> list[str]:
    from relasi.privacy.models import Purpose

    chosen = sorted({str(p) for p in purposes or []})
    if kind != RequestKind.OBJECTION:
        return []
    known = set(Purpose.objects.filter(key__in=chosen).values_list("key", flat=True))
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise ValidationError(
            {"purposes": _("Unknown purposes: %(p)s") % {"p": ", ".join(unknown)}}
        )
    return chosen


def create_request(actor: Any, data: dict[str, Any], *, channel: str = "staff") -> DataRequest:
    """File a request. `data`: kind, customer (or the requester's details), details, purposes
    (objection), received_at. The deadline comes from the type; the DPO is assigned."""
    data = dict(data)
    kind = data.get("kind", "")
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Choose a request type.")})
    customer = data.get("customer")
    if customer is None and not (data.get("requester_email") or data.get("requester_phone")):
        raise ValidationError(
            {"requester_email": _("Link the customer or give the requester's e-mail or phone.")}
        )
    data["purposes"] = _check_purposes(kind, data.get("purposes"))
    data.setdefault("due_hours", hours_for(kind))
    data["channel"] = channel
    data["status"] = RequestStatus.RECEIVED
    user = actor if getattr(actor, "is_authenticated", False) else None
    data.setdefault("created_by", user)
    if data.get("assigned_to") is None:
        data["assigned_to"] = default_assignee()
    with transaction.atomic():
        req = records.create_record(actor, DataRequest, data, audit_message="request received")
        _notify_new(req, actor)
    from relasi.privacy import tasks_dsr

    tasks_dsr.ensure_sweep()
    return req


def update_request(
    actor: Any, req: DataRequest, data: dict[str, Any], expected_version: int | None = None
) -> DataRequest:
    """Edit the requester's details, what is asked, the assignee or the customer link."""
    _require_open(req)
    allowed = {k: v for k, v in data.items() if k in (*EDITABLE, "assigned_to", "customer")}
    if "purposes" in allowed:
        allowed["purposes"] = _check_purposes(req.kind, allowed["purposes"])
    if "customer" in allowed and req.verified and allowed["customer"] != req.customer:
        raise ValidationError({"customer": _("The identity was verified for this customer.")})
    return records.update_record(
        actor, req, allowed, expected_version=expected_version, audit_message="request edited"
    )


def _require_open(req: DataRequest) -> None:
    if not req.is_open:
        raise ValidationError(_("This request is closed."))


def start_verification(actor: Any, req: DataRequest) -> DataRequest:
    _require_open(req)
    if req.status != RequestStatus.RECEIVED:
        return req
    return records.update_record(
        actor, req, {"status": RequestStatus.VERIFYING}, audit_message="verification started"
    )


def verify(actor: Any, req: DataRequest, method: str, note: str = "") -> DataRequest:
    """Record that the requester is the person (and how): the step before any disclosure."""
    _require_open(req)
    if method not in VerificationMethod.values:
        raise ValidationError({"method": _("Choose how the identity was verified.")})
    if req.customer_id is None:
        raise ValidationError({"customer": _("Link the request to the customer first.")})
    user = actor if getattr(actor, "is_authenticated", False) else None
    return records.update_record(
        actor,
        req,
        {
            "verification_method": method,
            "verification_note": note[:300],
            "verified_at": timezone.now(),
            "verified_by": user,
            "status": RequestStatus.IN_PROGRESS,
        },
        audit_message=f"identity verified: {method}",
    )


def require_verified(req: DataRequest) -> None:
    if not req.verified or req.customer_id is None:
        raise PermissionDenied(_("Verify the requester's identity first."))


def record_export(actor: Any, req: DataRequest, fmt: str) -> None:
    """A copy of the person's data left Relasi: who took it, in which format."""
    require_verified(req)
    audit.record(actor, AuditAction.EXPORT, req, message=f"data export ({fmt})")


def _close(actor: Any, req: DataRequest, status: str, resolution: str, msg: str) -> DataRequest:
    data = {"status": status, "resolution": resolution, "closed_at": timezone.now()}
    return records.update_record(actor, req, data, audit_message=msg)


def complete(actor: Any, req: DataRequest, resolution: str = "") -> DataRequest:
    """Carry out and close the request: an objection withdraws the named purposes on every
    channel, an erasure erases (or, with a grace period, schedules it)."""
    req.refresh_from_db()
    _require_open(req)
    require_verified(req)
    if req.kind == RequestKind.OBJECTION:
        _withdraw(actor, req)
    if req.kind == RequestKind.ERASURE:
        hours = grace_hours()
        if hours and req.erase_after is None:
            when = timezone.now() + dt.timedelta(hours=hours)
            return records.update_record(
                actor, req, {"erase_after": when}, audit_message="erasure scheduled"
            )
        return erase_now(actor, req, resolution)
    return _close(actor, req, RequestStatus.COMPLETED, resolution, "request completed")


def _withdraw(actor: Any, req: DataRequest) -> None:
    from relasi.privacy import consent
    from relasi.privacy.choices import Channel, ConsentSource, ConsentStatus

    source = ConsentSource.PORTAL if req.channel == "portal" else ConsentSource.STAFF
    if req.channel == "api":
        source = ConsentSource.API
    for purpose in req.purposes:
        for channel in Channel.values:
            consent.record(
                actor,
                req.customer,
                purpose,
                channel,
                ConsentStatus.WITHDRAWN,
                source=source,
                evidence=req.reference,
            )


def erase_now(actor: Any, req: DataRequest, resolution: str = "") -> DataRequest:
    from relasi.privacy import erasure

    require_verified(req)
    report = erasure.erase_customer(actor, req.customer, request=req)
    req.refresh_from_db()
    data = {
        "status": RequestStatus.COMPLETED,
        "closed_at": timezone.now(),
        "erased_at": timezone.now(),
        "resolution": resolution or _("Erased."),
    }
    audit.record(actor, AuditAction.UPDATE, req, changes={"erasure": report}, message="erased")
    return records.update_record(actor, req, data, audit_message="request completed")


def cancel_erasure(actor: Any, req: DataRequest) -> DataRequest:
    _require_open(req)
    if req.erase_after is None:
        raise ValidationError(_("No erasure is scheduled."))
    return records.update_record(
        actor, req, {"erase_after": None}, audit_message="scheduled erasure cancelled"
    )


def reject(actor: Any, req: DataRequest, reason: str) -> DataRequest:
    _require_open(req)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    return _close(actor, req, RequestStatus.REJECTED, reason.strip(), "request rejected")


def run_scheduled_erasures(now: dt.datetime | None = None) -> int:
    """Erase the people whose grace period ended (idempotent)."""
    now = now or timezone.now()
    done = 0
    due = DataRequest.objects.filter(
        kind=RequestKind.ERASURE, status__in=OPEN_STATUSES, erase_after__lte=now
    )
    for req in due.select_related("customer")[:100]:
        erase_now(None, req, _("Erased after the grace period."))
        done += 1
    return done


# --- the clock's sweep ----------------------------------------------------------------------------
def open_requests() -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(status__in=OPEN_STATUSES)


def _claim(req: DataRequest, fields: list[str], now: dt.datetime) -> bool:
    unclaimed = Q(**{f"{fields[-1]}__isnull": True})
    return bool(
        DataRequest.objects.filter(unclaimed, pk=req.pk).update(**dict.fromkeys(fields, now))
    )


def _hours(seconds: float) -> int:
    return max(0, int(seconds // 3600))


def _send(req: DataRequest, stage: str, now: dt.datetime) -> int:
    from django.utils.formats import date_format

    from relasi.activities.actions import notify_user

    deadline = req.deadline

    def compose() -> tuple[str, str]:
        args = {
            "ref": req.reference,
            "kind": req.get_kind_display(),
            "hours": _hours((deadline - now).total_seconds()),
            "late": _hours((now - deadline).total_seconds()),
            "deadline": date_format(timezone.localtime(deadline), "DATETIME_FORMAT"),
        }
        if stage == "escalation":
            text = _("OVERDUE: data request %(ref)s was due by %(deadline)s") % args
            body = (
                _(
                    "Data-subject request %(ref)s (%(kind)s) passed its deadline %(late)s hours ago. "
                    "Answer it now and record the reason for the delay."
                )
                % args
            )
        else:
            text = _("Data request %(ref)s: %(hours)s hours left") % args
            body = (
                _("Data-subject request %(ref)s (%(kind)s) must be answered by %(deadline)s.")
                % args
            )
        return text, body

    users = administrators() if stage == "escalation" else [req.assigned_to or default_assignee()]
    sent = 0
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        if notify_user(user, f"privacy.dsr.{stage}", req.get_absolute_url(), compose):
            sent += 1
    audit.record(None, AuditAction.UPDATE, req, message=f"clock: {stage} sent to {sent}")
    return sent


def _notify_new(req: DataRequest, actor: Any) -> None:
    from relasi.activities.actions import notify_user

    user = req.assigned_to
    if user is None or user.pk == getattr(actor, "pk", None):
        return

    def compose() -> tuple[str, str]:
        args = {"ref": req.reference, "kind": req.get_kind_display(), "hours": req.due_hours}
        text = _("New data request %(ref)s: %(kind)s") % args
        body = _("A data-subject request was filed; answer it within %(hours)s hours.") % args
        return text, body

    notify_user(user, "privacy.dsr.new", req.get_absolute_url(), compose)


def check_clocks(now: dt.datetime | None = None) -> dict[str, int]:
    """One sweep: reminders 24 h and 48 h after receipt, escalation once overdue. A late sweep
    sends only the latest step due and marks the earlier ones done with it."""
    now = now or timezone.now()
    counts = {"reminders": 0, "escalations": 0}
    for req in open_requests().select_related("assigned_to").order_by("received_at", "pk")[:1000]:
        if now >= req.deadline:
            fields = [f for _h, f in REMINDERS if getattr(req, f) is None]
            if req.escalated_at is None and _claim(req, [*fields, "escalated_at"], now):
                _send(req, "escalation", now)
                counts["escalations"] += 1
            continue
        elapsed = now - req.received_at
        due = [f for h, f in REMINDERS if elapsed >= dt.timedelta(hours=h)]
        if not due or getattr(req, due[-1]) is not None:
            continue
        pending = [f for f in due if getattr(req, f) is None]
        if _claim(req, pending, now):
            _send(req, pending[-1].removeprefix("reminded_").removesuffix("_at") + "h", now)
            counts["reminders"] += 1
    counts["erased"] = run_scheduled_erasures(now)
    if any(counts.values()):
        log.info("dsr clock sweep", extra={"event": "privacy.dsr_sweep", "details": counts})
    return counts


def history(req: DataRequest) -> QuerySet:
    """The request's steps, oldest first (its audit trail)."""
    from relasi.core.models import AuditEvent

    return AuditEvent.objects.for_object(req).select_related("actor").order_by("at", "id")
