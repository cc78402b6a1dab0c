"""Retention and minimisation (UU PDP art. 43/44, GDPR art. 5(1)(e)): each app registers the
record types it holds personal data in — which date counts, which extra condition applies, and
how its rows are anonymised or deleted — and privacy users set a policy per record type.

`preview()` counts and samples what a policy would touch; `execute_run()` applies policies in
batches (a background job from the UI and API, inline from `manage.py apply_retention`) and keeps
the report on a `RetentionRun`. Anonymised rows carry the `ANONYMISED` marker and no longer
match, deleted rows are gone: running again is a no-op. Every run is audited."""

import calendar
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.privacy.choices import RetentionAction, RetentionRunStatus, RetentionTrigger

ANONYMISED = "[anonymised]"
BATCH = 500
SAMPLE = 20

Filter = Callable[[models.QuerySet, dt.datetime], models.QuerySet]
Apply = Callable[[models.QuerySet], int]


@dataclass(frozen=True)
class RecordType:
    """A kind of record retention can act on (registered by the app that owns the model).

    `condition(qs, cutoff)` narrows the rows beyond the age (e.g. "not converted");
    `anonymised(qs)` narrows to rows already anonymised (excluded, so a re-run is a no-op);
    `anonymise(qs)` / `delete(qs)` act on one batch and return how many rows they changed;
    `skip(obj)` names a reason to leave one record alone. `refused` explains why no policy may
    be set at all (the consent ledger is the proof of consent)."""

    key: str
    label: str | Promise
    model: str
    date_field: str = ""
    rule: str | Promise = ""
    condition: Filter | None = None
    anonymise: Apply | None = None
    anonymised: Callable[[models.QuerySet], models.QuerySet] | None = None
    delete: Apply | None = None
    skip: Callable[[Any], str] | None = None
    default_months: int = 24
    refused: str | Promise = ""
    describe: Callable[[Any], str] = str
    order: int = 100

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def actions(self) -> list[str]:
        if self.refused:
            return []
        return [
            a
            for a, fn in (
                (RetentionAction.ANONYMISE, self.anonymise),
                (RetentionAction.DELETE, self.delete),
            )
            if fn is not None
        ]

    def action_choices(self) -> list[tuple[str, Any]]:
        labels = dict(RetentionAction.choices)
        return [(a, labels[a]) for a in self.actions]


_TYPES: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    _TYPES[record_type.key] = record_type
    return record_type


def get_type(key: str) -> RecordType | None:
    return _TYPES.get(key)


def record_types(*, include_refused: bool = True) -> list[RecordType]:
    types = sorted(_TYPES.values(), key=lambda t: (t.order, t.key))
    return [t for t in types if include_refused or not t.refused]


def delete_rows(qs: models.QuerySet) -> int:
    """The default delete: Django's collector (cascades and SET_NULL as the models declare)."""
    _, per_model = qs.delete()
    return int(per_model.get(qs.model._meta.label, 0))


def scrub_audit(model: type[models.Model], pks: Iterable[Any]) -> int:
    """The anonymised rows' audit entries keep who did what and when, not the old values (the
    audit trail refuses updates through its own queryset; retention, like erasure, may)."""
    from django.contrib.contenttypes.models import ContentType

    from relasi.core.models import AuditEvent

    ids = [str(pk) for pk in pks]
    if not ids:
        return 0
    ct = ContentType.objects.get_for_model(model)
    rows = AuditEvent._base_manager.filter(content_type=ct, object_id__in=ids)
    n = 0
    for pk, changes in rows.values_list("pk", "changes"):
        scrubbed = {key: [ANONYMISED, ANONYMISED] for key in (changes or {})}
        n += models.QuerySet.update(
            AuditEvent._base_manager.filter(pk=pk), changes=scrubbed, object_repr=ANONYMISED
        )
    return n


# --- policies ------------------------------------------------------------------------------------
DEFAULTS: list[tuple[str, int, str]] = [
    ("sales.lead", 24, RetentionAction.ANONYMISE),
    ("service.ticket", 60, RetentionAction.ANONYMISE),
    ("core.outboundemail", 12, RetentionAction.DELETE),
    ("sales.webformsubmission", 24, RetentionAction.DELETE),
]


def ensure_defaults(policy_model: Any = None) -> int:
    """The fresh-install policies (never overwriting a privacy user's edits)."""
    if policy_model is None:
        from relasi.privacy.models import RetentionPolicy as policy_model
    created = 0
    for key, months, action in DEFAULTS:
        _, new = policy_model.objects.get_or_create(
            record_type=key, defaults={"months": months, "action": action, "active": True}
        )
        created += int(new)
    return created


def validate(record_type: str, action: str, months: int) -> RecordType:
    rt = get_type(record_type)
    if rt is None:
        raise ValidationError({"record_type": _("Unknown record type.")})
    if rt.refused:
        raise ValidationError({"record_type": str(rt.refused)})
    if action not in rt.actions:
        raise ValidationError(
            {"action": _("%(type)s cannot be handled that way.") % {"type": rt.label}}
        )
    if not 1 <= int(months) <= 1200:
        raise ValidationError({"months": _("Between 1 and 1200 months.")})
    return rt


def create_policy(actor: Any, data: dict[str, Any]) -> Any:
    """A new policy, validated against its record type (the consent ledger is refused)."""
    from relasi.privacy.models import RetentionPolicy

    validate(data.get("record_type", ""), data.get("action", ""), data.get("months") or 0)
    return records.create_record(actor, RetentionPolicy, data, audit_message="retention")


def update_policy(
    actor: Any, policy: Any, data: dict[str, Any], expected_version: int | None = None
) -> Any:
    merged = {k: data.get(k, getattr(policy, k)) for k in ("record_type", "action", "months")}
    validate(merged["record_type"], merged["action"], merged["months"] or 0)
    return records.update_record(
        actor, policy, data, expected_version=expected_version, audit_message="retention"
    )


def delete_policy(actor: Any, policy: Any) -> None:
    records.delete_record(actor, policy, audit_message="retention")


# --- matching ------------------------------------------------------------------------------------
def cutoff(months: int, now: dt.datetime | None = None) -> dt.datetime:
    """`now` minus whole calendar months (the 31st becomes the month's last day)."""
    when = now or timezone.now()
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return when.replace(year=year, month=month + 1, day=min(when.day, last))


def matching(policy: Any, now: dt.datetime | None = None) -> models.QuerySet:
    """The rows `policy` would act on now: older than its age, meeting the record type's
    condition, and (when anonymising) not anonymised yet."""
    rt = get_type(policy.record_type)
    if rt is None or rt.refused:
        raise ValidationError(_("No retention policy may apply to this record type."))
    limit = cutoff(policy.months, now)
    qs = rt.model_class._default_manager.filter(**{f"{rt.date_field}__lt": limit})
    if rt.condition is not None:
        qs = rt.condition(qs, limit)
    if policy.action == RetentionAction.ANONYMISE and rt.anonymised is not None:
        qs = qs.exclude(pk__in=rt.anonymised(rt.model_class._default_manager.all()).values("pk"))
    return qs.order_by("pk")


@dataclass
class Preview:
    count: int
    cutoff: dt.datetime
    sample: list[dict[str, Any]] = field(default_factory=list)


def preview(policy: Any, now: dt.datetime | None = None, limit: int = SAMPLE) -> Preview:
    """What applying `policy` would touch: the count and the first `limit` rows (no change)."""
    rt = get_type(policy.record_type)
    assert rt is not None
    qs = matching(policy, now)
    sample = []
    for obj in qs[:limit]:
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        sample.append(
            {
                "id": obj.pk,
                "label": rt.describe(obj)[:200],
                "date": getattr(obj, rt.date_field),
                "url": url,
                "skip": rt.skip(obj) if rt.skip else "",
            }
        )
    return Preview(count=qs.count(), cutoff=cutoff(policy.months, now), sample=sample)


# --- applying ------------------------------------------------------------------------------------
def _act(rt: RecordType, action: str, qs: models.QuerySet) -> int:
    fn = rt.anonymise if action == RetentionAction.ANONYMISE else rt.delete
    assert fn is not None
    return fn(qs)


def apply_policy(
    policy: Any,
    *,
    actor: Any = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    on_batch: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
) -> dict[str, Any]:
    """Apply one policy in batches of `batch_size` (each its own transaction); the report part."""
    started = time.monotonic()
    rt = get_type(policy.record_type)
    part: dict[str, Any] = {
        "policy": policy.pk,
        "record_type": policy.record_type,
        "label": str(rt.label) if rt else policy.record_type,
        "action": policy.action,
        "months": policy.months,
        "matched": 0,
        "anonymised": 0,
        "deleted": 0,
        "skipped": 0,
        "reasons": {},
    }
    if rt is None or rt.refused or policy.action not in rt.actions:
        part["reasons"] = {_("This record type cannot have a retention policy."): 1}
        part["skipped"] = 1
        return _finish(part, started)
    when = now or timezone.now()
    qs = matching(policy, when)
    part["matched"] = qs.count()
    if dry_run:
        return _finish(part, started)
    reasons: Counter[str] = Counter()
    done_key = "anonymised" if policy.action == RetentionAction.ANONYMISE else "deleted"
    last_pk: Any = None
    while True:
        batch_qs = qs if last_pk is None else qs.filter(pk__gt=last_pk)
        batch = list(batch_qs[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        todo = []
        for obj in batch:
            reason = rt.skip(obj) if rt.skip else ""
            if reason:
                reasons[reason] += 1
            else:
                todo.append(obj.pk)
        part[done_key] += _apply_batch(rt, policy.action, todo, reasons)
        if on_batch is not None:
            on_batch(len(batch))
    part["skipped"] = sum(reasons.values())
    part["reasons"] = dict(reasons)
    return _finish(part, started)


def _apply_batch(rt: RecordType, action: str, pks: list[Any], reasons: Counter[str]) -> int:
    if not pks:
        return 0
    model = rt.model_class
    try:
        with transaction.atomic():
            return _act(rt, action, model._default_manager.filter(pk__in=pks))
    except (ProtectedError, RestrictedError):
        pass
    # One row refuses (another record still needs it): go one by one, skip the ones that refuse.
    done = 0
    for pk in pks:
        try:
            with transaction.atomic():
                done += _act(rt, action, model._default_manager.filter(pk=pk))
        except (ProtectedError, RestrictedError):
            reasons[_("Other records still refer to it")] += 1
    return done


def _finish(part: dict[str, Any], started: float) -> dict[str, Any]:
    part["seconds"] = round(time.monotonic() - started, 3)
    return part


def selected_policies(policy_ids: list[int] | None) -> models.QuerySet:
    from relasi.privacy.models import RetentionPolicy

    qs = RetentionPolicy.objects.order_by("record_type", "pk")
    return qs.filter(pk__in=policy_ids) if policy_ids else qs.filter(active=True)


def create_run(
    actor: Any,
    policy_ids: list[int] | None = None,
    *,
    dry_run: bool = False,
    trigger: str = RetentionTrigger.MANUAL,
) -> Any:
    from relasi.privacy.models import RetentionRun

    ids = list(selected_policies(policy_ids).values_list("pk", flat=True))
    return RetentionRun.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        trigger=trigger,
        dry_run=dry_run,
        policy_ids=ids,
    )


def start_run(
    actor: Any,
    policy_ids: list[int] | None = None,
    *,
    dry_run: bool = False,
    trigger: str = RetentionTrigger.MANUAL,
) -> Any:
    """A run as a background job with a progress bar (core/jobs.py)."""
    from relasi.core import jobs
    from relasi.privacy import tasks_retention

    run = create_run(actor, policy_ids, dry_run=dry_run, trigger=trigger)
    label = _("Retention dry run") if dry_run else _("Retention run")
    run.job = jobs.start(
        "retention", actor, tasks_retention.apply_retention, label=label, params={"run": run.pk}
    )
    run.save(update_fields=["job"])
    return run


def execute_run(run: Any, job: Any = None, now: dt.datetime | None = None) -> Any:
    """Apply the run's policies in order. Resumable: a retried run keeps the report parts of
    the policies it finished and continues with the next one."""
    from relasi.core import jobs
    from relasi.privacy.models import RetentionPolicy

    when = now or timezone.now()
    policies = list(RetentionPolicy.objects.filter(pk__in=run.policy_ids).order_by("record_type"))
    finished = {part["policy"] for part in run.report}
    run.status = RetentionRunStatus.RUNNING
    run.save(update_fields=["status"])
    todo = [p for p in policies if p.pk not in finished]
    total = sum(matching(p, when).count() for p in todo if _applicable(p))
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if job is not None:
            jobs.progress(job, done, total)

    if job is not None:
        jobs.progress(job, 0, total)
    try:
        for policy in todo:
            part = apply_policy(
                policy, actor=run.actor, dry_run=run.dry_run, now=when, on_batch=tick
            )
            run.report = [*run.report, part]
            run.save(update_fields=["report"])
            if not run.dry_run:
                RetentionPolicy.objects.filter(pk=policy.pk).update(
                    last_run_at=timezone.now(),
                    last_run_counts={
                        k: part[k] for k in ("matched", "anonymised", "deleted", "skipped")
                    },
                )
            _audit_part(run, policy, part)
    except Exception as exc:
        run.status = RetentionRunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status = RetentionRunStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    audit.record(
        run.actor,
        AuditAction.BULK,
        run,
        message=(_("Retention dry run") if run.dry_run else _("Retention run"))
        + f": {run.total('matched')} / {run.total('anonymised')} / {run.total('deleted')}"
        f" / {run.total('skipped')}",
        changes={"trigger": run.trigger, "policies": run.policy_ids},
    )
    if job is not None:
        job.result = {"run": run.pk, "url": run.get_absolute_url()}
        jobs.progress(job, total, total)
    return run


def _applicable(policy: Any) -> bool:
    rt = get_type(policy.record_type)
    return rt is not None and not rt.refused and policy.action in rt.actions


def _audit_part(run: Any, policy: Any, part: dict[str, Any]) -> None:
    rt = get_type(policy.record_type)
    action = AuditAction.DELETE if part["deleted"] else AuditAction.BULK
    audit.record(
        run.actor,
        action,
        model=rt.model_class if rt else None,
        object_repr=part["label"],
        message=_("Retention %(what)s: %(label)s")
        % {
            "what": _("dry run") if run.dry_run else policy.get_action_display(),
            "label": part["label"],
        },
        changes={k: part[k] for k in ("matched", "anonymised", "deleted", "skipped", "reasons")}
        | {"run": run.pk, "policy": policy.pk, "months": policy.months},
    )


def run_now(
    actor: Any = None,
    policy_ids: list[int] | None = None,
    *,
    dry_run: bool = False,
    trigger: str = RetentionTrigger.COMMAND,
    now: dt.datetime | None = None,
) -> Any:
    """Create and execute a run in this process (the command, the nightly task, tests)."""
    return execute_run(create_run(actor, policy_ids, dry_run=dry_run, trigger=trigger), now=now)


# --- the record types privacy itself holds or that live below it (core) -------------------------
def _outbox_anonymise(qs: models.QuerySet) -> int:
    return qs.update(recipients=ANONYMISED, subject=ANONYMISED, message={}, last_error="")


register(
    RecordType(
        key="core.outboundemail",
        label=gl("Outgoing e-mails (outbox)"),
        model="core.outboundemail",
        date_field="created_at",
        rule=gl("sent or failed, created more than N months ago"),
        condition=lambda qs, cutoff: qs.filter(status__in=["sent", "failed"]),
        anonymise=_outbox_anonymise,
        anonymised=lambda qs: qs.filter(recipients=ANONYMISED),
        delete=delete_rows,
        default_months=12,
        describe=lambda e: f"{e.subject} → {e.recipients}",
        order=80,
    )
)
register(
    RecordType(
        key="privacy.consentevent",
        label=gl("Consent ledger"),
        model="privacy.consentevent",
        refused=gl(
            "The consent ledger is the proof of what each person agreed to (UU PDP art. 20); "
            "it is never deleted or anonymised by retention."
        ),
        order=90,
    )
)
register(
    RecordType(
        key="core.auditevent",
        label=gl("Audit trail"),
        model="core.auditevent",
        refused=gl(
            "The audit trail is append-only: it is the accountability record (UU PDP art. 47)."
        ),
        order=91,
    )
)


def _customer_skip(obj: Any) -> str:
    try:
        from relasi.privacy.erasure import anonymise_customer  # noqa: F401
    except ImportError:
        return _("Needs the erasure module")
    return ""


def _customer_anonymise(qs: models.QuerySet) -> int:
    from relasi.privacy.erasure import anonymise_customer  # type: ignore[attr-defined]

    n = 0
    for customer in qs:
        anonymise_customer(None, customer)
        n += 1
    return n


register(
    RecordType(
        key="customers.customer",
        label=gl("Customers with no activity"),
        model="customers.customer",
        date_field="updated_at",
        rule=gl("not changed for N months; anonymised through customer erasure"),
        anonymise=_customer_anonymise,
        skip=_customer_skip,
        default_months=120,
        order=5,
    )
)
