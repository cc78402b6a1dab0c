"""Erasure by anonymisation (UU PDP art. 8, 43–44; GDPR art. 17): the person disappears from
every table, the search index, the analytics mart, the audit trail and history tables, while
the business figures stay (orders, deals and tickets are kept, counted, without identity).

What happens, in one transaction:

1. The customer row: the name becomes "Erased #<id>"; every other non-key text field is blanked
   — generically, so a field added later (an encrypted NIK, a bank account) is cleared too —
   except the few aggregate attributes in `KEEP_FIELDS`; JSON fields emptied, birth date and
   other personal dates removed, tags cleared.
2. Child rows that are only about the person are deleted: e-mails, phones, addresses, notes,
   files (removed from storage after commit), relationships, memberships, duplicate candidates,
   portal sign-in links. Rows kept for the figures (orders, deals, tickets, activities, …: every
   table with a foreign key to the customer) lose their free text; ticket messages are redacted.
3. Leads that were this person (converted into them, or with their e-mail or phone) are
   anonymised; the consent ledger is kept as proof, without evidence or IP address; outbox
   e-mails to the person's addresses are scrubbed.
4. The audit trail of the person's records is wiped of values; then a sweep over every text and
   JSON column of every model (history tables included) replaces any remaining identifier —
   full name, e-mail addresses, phone numbers in all their forms, long digit runs such as NIK.
5. After commit: the search index row is rewritten and optimised; the mart is refreshed and its
   older snapshots (which still held the name) deleted.

The verification test (tests/test_erasure.py) scans the whole database and the mart afterwards."""

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

log = logging.getLogger("relasi.privacy")

REDACTED = "[erased]"
# Customer attributes kept: what the figures are cut by, none of them identifying on its own.
KEEP_FIELDS = {
    "kind",
    "customer_type",
    "lifecycle_stage",
    "source",
    "preferred_language",
    "preferred_channel",
    "income_band",
    "blacklist_reason",
}
# Free text kept on related rows: the consent wording is the notice that was shown (proof).
KEEP_TEXT = {"privacy.consentevent": {"wording", "wording_version"}}
MIN_TOKEN = 6
_DIGITS = re.compile(r"\d[\d .-]{6,}\d")

TEXT_FIELDS = (models.CharField, models.TextField)


@dataclass
class Context:
    customer: Any
    actor: Any
    request: Any = None
    tokens: list[str] = field(default_factory=list)  # swept everywhere
    name_tokens: list[str] = field(default_factory=list)  # swept except other customers' rows
    targets: list[tuple[int, str]] = field(default_factory=list)  # (content type, pk): audit wiped
    files: list[Any] = field(default_factory=list)  # (storage, name) removed after commit
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n

    def target(self, model: type[models.Model], pks: Iterable[Any]) -> None:
        ct = ContentType.objects.get_for_model(model).pk
        self.targets += [(ct, str(pk)) for pk in pks]


Step = Callable[[Context], None]
_steps: dict[str, Step] = {}


def register(key: str) -> Callable[[Step], Step]:
    """Apps add their own step (run in registration order, before the sweep)."""

    def wrap(fn: Step) -> Step:
        _steps[key] = fn
        return fn

    return wrap


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _update(qs: models.QuerySet, **values: Any) -> int:
    """A plain UPDATE, also on the append-only tables (the audit trail refuses updates through
    its own queryset; erasure is the one writer allowed to scrub it)."""
    return models.QuerySet.update(qs.model._base_manager.filter(pk__in=qs.values("pk")), **values)


# --- identifiers ----------------------------------------------------------------------------------
def identifiers(customer: Any) -> tuple[list[str], list[str]]:
    """(tokens, name tokens) of the person: e-mails, phone numbers in every searchable form and
    long digit runs (NIK, NPWP, account numbers) from their free text; their full names."""
    from relasi.customers import phones

    emails = {customer.primary_email, *customer.emails.values_list("email", flat=True)}
    numbers = {customer.primary_phone, *customer.phones.values_list("number", flat=True)}
    names = {customer.name, customer.legal_name, f"{customer.first_name} {customer.last_name}"}
    texts = [customer.background, customer.tax_id, json.dumps(customer.custom, default=str)]
    texts += list(customer.notes.values_list("body", flat=True)[:5000])
    for req in customer.data_requests.all():
        emails.add(req.requester_email)
        numbers.add(req.requester_phone)
        names.add(req.requester_name)
        texts.append(req.details)
    for key in getattr(customer, "erasure_identifiers", ()):  # fields registered later
        texts.append(str(getattr(customer, key, "") or ""))
    tokens = {e.strip().lower() for e in emails if e and e.strip()}
    for number in filter(None, numbers):
        e164 = phones.to_e164(number) or number
        tokens.update(phones.variants(e164) or [e164])
        tokens.add(number)
    for text in texts:
        for run in _DIGITS.findall(text or ""):
            digits = re.sub(r"\D", "", run)
            if len(digits) >= 8:
                tokens.update({run, digits})
    name_tokens = {" ".join(n.split()) for n in names if n and len(" ".join(n.split())) >= 5}
    keep = [t for t in tokens if len(t) >= MIN_TOKEN]
    return sorted(keep, key=len, reverse=True), sorted(name_tokens, key=len, reverse=True)


def _pattern(tokens: list[str]) -> re.Pattern[str] | None:
    if not tokens:
        return None
    return re.compile("|".join(re.escape(t) for t in tokens), re.IGNORECASE)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    return value


def _blank(value: Any) -> Any:
    """Every string inside a JSON value replaced (keys kept: they are field names)."""
    if isinstance(value, str):
        return REDACTED if value else value
    if isinstance(value, list):
        return [_blank(v) for v in value]
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    return value


# --- the steps ------------------------------------------------------------------------------------
def _text_fields(model: type[models.Model]) -> list[models.Field]:
    # Encrypted fields (core/crypto.py) answer no substring lookup: their ciphertext holds no
    # identifier, and `blank_values` clears them on the person's own rows.
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (*TEXT_FIELDS, models.JSONField))
        and not f.primary_key
        and f.get_lookup("icontains") is not None
    ]


def blank_values(
    model: type[models.Model], keep: set[str], *, free_text_only: bool = False
) -> dict[str, Any]:
    """An UPDATE that empties the personal fields of `model`'s rows."""
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.is_relation or f.name in keep or f.name in ("version",):
            continue
        if free_text_only and not isinstance(f, models.TextField):
            continue
        if isinstance(f, models.JSONField):
            values[f.attname] = f.get_default()
        elif isinstance(f, TEXT_FIELDS):
            if f.choices and f.name in keep:
                continue
            values[f.attname] = None if f.null else ""
        elif isinstance(f, models.BinaryField):
            values[f.attname] = b""
    return values


@register("customers")
def _customers(ctx: Context) -> None:
    from relasi.customers import models as cm

    c = ctx.customer
    ctx.target(cm.Customer, [c.pk])
    for model, lookup in (
        (cm.EmailAddress, Q(customer=c)),
        (cm.PhoneNumber, Q(customer=c)),
        (cm.Address, Q(customer=c)),
        (cm.Note, Q(customer=c)),
        (cm.Attachment, Q(customer=c)),
        (cm.Relationship, Q(from_customer=c) | Q(to_customer=c)),
        (cm.Membership, Q(person=c) | Q(organization=c)),
        (cm.DuplicateCandidate, Q(customer_a=c) | Q(customer_b=c)),
    ):
        qs = model._default_manager.filter(lookup)
        ctx.target(model, qs.values_list("pk", flat=True))
        if model is cm.Attachment:
            ctx.files += [(a.file.storage, a.file.name) for a in qs if a.file]
        ctx.count(model._meta.label_lower, qs.delete()[0])
    merges = cm.MergeRecord.objects.filter(survivor=c)
    ctx.count("customers.mergerecord", merges.update(merged_name=REDACTED, snapshot={}, choices={}))
    c.lifecycle_changes.update(note="")
    values = blank_values(cm.Customer, KEEP_FIELDS)
    values.update(
        name=f"Erased #{c.pk}",
        date_of_birth=None,
        employee_count=None,
        referred_by=None,
        blacklisted_by=None,
        updated_at=timezone.now(),
    )
    if not c.is_blacklisted:
        values["blacklist_reason"] = ""
    for f in cm.Customer._meta.concrete_fields:  # personal dates a later field may add
        if (
            isinstance(f, models.DateField)
            and f.null
            and f.name not in values
            and "birth" in f.name
        ):
            values[f.attname] = None
    cm.Customer.objects.filter(pk=c.pk).update(**values)
    c.tags.clear()
    ctx.count("customers.customer", 1)


@register("related")
def _related(ctx: Context) -> None:
    """Every row that points at the customer and is kept (orders, deals, tickets, activities,
    requests, …): its free text is emptied. Later apps' tables are covered without a step."""
    for rel in ctx.customer._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many or model._meta.auto_created or not rel.field.concrete:
            continue
        label = model._meta.label_lower
        if label.startswith("customers."):
            continue  # handled above
        keep = KEEP_TEXT.get(label, set())
        values = blank_values(model, keep, free_text_only=True)
        if values:
            qs = model._base_manager.filter(**{rel.field.name: ctx.customer})
            ctx.target(model, qs.values_list("pk", flat=True))
            ctx.count(f"{label}.text", models.QuerySet.update(qs, **values))


@register("service")
def _service(ctx: Context) -> None:
    message = _model("service.TicketMessage")
    attachment = _model("service.TicketAttachment")
    token = _model("service.PortalLoginToken")
    if token is not None:
        ctx.count(
            "service.portallogintoken",
            token._default_manager.filter(customer=ctx.customer).delete()[0],
        )
    if message is None:
        return
    msgs = message._default_manager.filter(ticket__customer=ctx.customer)
    ctx.target(message, msgs.values_list("pk", flat=True))
    ctx.count("service.ticketmessage", msgs.update(body=REDACTED, emailed_to=""))
    if attachment is not None:
        files = attachment._default_manager.filter(ticket__customer=ctx.customer)
        ctx.files += [(a.file.storage, a.file.name) for a in files if a.file]  # type: ignore[attr-defined]
        ctx.count("service.ticketattachment", files.delete()[0])


@register("sales")
def _sales(ctx: Context) -> None:
    lead = _model("sales.Lead")
    if lead is None:
        return
    emails = [t for t in ctx.tokens if "@" in t]
    match = Q(converted_customer=ctx.customer)
    if emails:
        match |= Q(email__in=emails)
    phones_ = [t for t in ctx.tokens if t.startswith("+")]
    if phones_:
        match |= Q(phone__in=phones_)
    qs = lead._default_manager.filter(match)
    keep = {"source", "status", "disqualify_reason"}
    values = blank_values(lead, keep)
    values["name"] = REDACTED
    ctx.target(lead, qs.values_list("pk", flat=True))
    ctx.count("sales.lead", qs.update(**values))


@register("privacy")
def _privacy(ctx: Context) -> None:
    from relasi.privacy.models import ConsentEvent, DataRequest

    # The ledger stays as proof of what was agreed and when; the evidence and IP go.
    for event in ConsentEvent.objects.filter(customer=ctx.customer):
        event.evidence, event.ip_address = "", None
        event.save(_erasure=True)
        ctx.count("privacy.consentevent", 1)
    # Suppressed addresses: an unkeyed hash instead of the address (unique per address, so
    # two erased people never collide on the list's unique constraint; the sweep then finds none).
    from relasi.privacy.models import Suppression
    from relasi.privacy.suppression import erased_key

    for row in Suppression.objects.filter(address__in=ctx.tokens):
        Suppression.objects.filter(pk=row.pk).update(address=erased_key(row.address), note="")
        ctx.count("privacy.suppression", 1)
    reqs = DataRequest.objects.filter(customer=ctx.customer)
    ctx.target(DataRequest, reqs.values_list("pk", flat=True))
    reqs.update(requester_name="", requester_email="", requester_phone="", details="")


@register("outbox")
def _outbox(ctx: Context) -> None:
    from relasi.core.models import OutboundEmail

    emails = [t for t in ctx.tokens if "@" in t]
    if not emails:
        return
    q = Q()
    for e in emails:
        q |= Q(recipients__icontains=e)
    qs = OutboundEmail.objects.filter(q)
    ctx.count("core.outboundemail", qs.update(recipients=REDACTED, message={}, subject=REDACTED))


@register("audit")
def _audit(ctx: Context) -> None:
    """The person's own records: every value in their audit rows is replaced."""
    from relasi.core.models import AuditEvent

    by_type: dict[int, list[str]] = {}
    for ct, pk in ctx.targets:
        by_type.setdefault(ct, []).append(pk)
    n = 0
    for ct, pks in by_type.items():
        for i in range(0, len(pks), 500):
            qs = AuditEvent.objects.filter(content_type_id=ct, object_id__in=pks[i : i + 500])
            for event_pk, changes in qs.values_list("pk", "changes"):
                n += _update(
                    AuditEvent.objects.filter(pk=event_pk),
                    changes=_blank(changes),
                    object_repr=f"Erased #{ctx.customer.pk}",
                )
    ctx.count("core.auditevent", n)


@register("history")
def _history(ctx: Context) -> None:
    """django-simple-history style tables (Historical*): the person's rows lose their values."""
    from relasi.customers.models import Customer

    for model in apps.get_models():
        if not model.__name__.startswith("Historical"):
            continue
        instance = getattr(model, "instance_type", None)
        if instance is None or not issubclass(instance, Customer):
            continue
        values = blank_values(model, KEEP_FIELDS | {"history_type", "history_change_reason"})
        values.pop("history_change_reason", None)
        values["name"] = f"Erased #{ctx.customer.pk}"
        qs = model._base_manager.filter(id=ctx.customer.pk)
        ctx.count(model._meta.label_lower, models.QuerySet.update(qs, **values))


# --- the sweep ------------------------------------------------------------------------------------
def _variants(tokens: list[str]) -> list[str]:
    """Tokens as they are written inside JSON text (non-ASCII escaped)."""
    out = list(tokens)
    for t in tokens:
        escaped = json.dumps(t)[1:-1]
        if escaped != t:
            out.append(escaped)
    return out


def sweep(ctx: Context) -> int:
    """Replace the identifiers in every text and JSON column of every model."""
    from relasi.core.models import AuditEvent
    from relasi.customers.models import Customer

    tokens = _variants(ctx.tokens)
    names = _variants(ctx.name_tokens)
    every = _pattern(sorted({*ctx.tokens, *ctx.name_tokens}, key=len, reverse=True))
    if every is None:
        return 0
    customer_ct = ContentType.objects.get_for_model(Customer).pk
    changed = 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        qs = model._base_manager.all()
        lookups: list[str] = []
        for f in fields:
            if isinstance(f, models.JSONField):
                alias = f"dsr_{f.attname}"
                qs = qs.alias(**{alias: Cast(f.attname, models.TextField())})
                lookups.append(alias)
            else:
                lookups.append(f.attname)
        q = Q()
        for lookup in lookups:
            for t in tokens:
                q |= Q(**{f"{lookup}__icontains": t})
        # A full name is not unique: other customers called the same keep theirs.
        name_q = Q()
        for lookup in lookups:
            for t in names:
                name_q |= Q(**{f"{lookup}__icontains": t})
        if issubclass(model, Customer):
            name_q &= Q(pk=ctx.customer.pk)
        elif model is AuditEvent:
            name_q &= ~(Q(content_type_id=customer_ct) & ~Q(object_id=str(ctx.customer.pk)))
        if not q and not name_q:
            continue
        attnames = [f.attname for f in fields]
        for row in qs.filter(q | name_q).values("pk", *attnames).iterator(chunk_size=500):
            new = {a: _scrub(row[a], every) for a in attnames}
            diff = {a: v for a, v in new.items() if v != row[a]}
            if diff:
                changed += models.QuerySet.update(model._base_manager.filter(pk=row["pk"]), **diff)
    ctx.count("sweep", changed)
    return changed


# --- after commit ---------------------------------------------------------------------------------
def _search(customer_id: int) -> None:
    from relasi.customers import search
    from relasi.customers.actions import refresh_denormalised
    from relasi.customers.models import Customer

    refresh_denormalised(Customer.objects.get(pk=customer_id))
    if search.is_sqlite():
        with connection.cursor() as cursor:  # drop the deleted terms from the index segments
            cursor.execute(
                f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('optimize')"  # noqa: S608 - constant
            )


def refresh_mart() -> str:
    """Bring the mart up to date and delete its older snapshots (they still hold the person)."""
    from relasi.analytics import mart

    if mart.generation() is None:
        return "none"
    try:
        run = mart.refresh(trigger="erasure")
    except Exception:
        log.exception("mart refresh after erasure failed", extra={"event": "privacy.erasure"})
        mart.request_refresh("erasure")
        return "queued"
    if getattr(run, "status", "") != "ok":
        mart.request_refresh("erasure")
        return str(getattr(run, "status", "queued"))
    mart.close_all()
    current = mart.generation() or 0
    for old in mart.directory().glob("mart-*.duckdb"):
        with contextlib.suppress(ValueError, OSError):
            if int(old.stem.removeprefix("mart-")) < current:
                old.unlink()
    return "refreshed"


def _remove_files(files: list[Any]) -> None:
    for storage, name in files:
        with contextlib.suppress(OSError):
            storage.delete(name)


def erase_customer(actor: Any, customer: Any, *, request: Any = None) -> dict[str, Any]:
    """Anonymise `customer` everywhere (see the module docstring); returns counts per table."""
    from relasi.core import audit
    from relasi.core.choices import AuditAction

    tokens, names = identifiers(customer)
    ctx = Context(customer, actor, request, tokens, names)
    with transaction.atomic():
        for step in _steps.values():
            step(ctx)
        sweep(ctx)
        files = list(ctx.files)
        transaction.on_commit(lambda: _remove_files(files))
        customer.refresh_from_db()  # listeners of the audit trail (webhooks) see what is left
        audit.record(
            actor,
            AuditAction.UPDATE,
            customer,
            object_repr=f"Erased #{customer.pk}",
            message="erased (data-subject request)",
            changes={"erased": [None, dict(sorted(ctx.counts.items()))]},
        )
    _search(customer.pk)
    ctx.counts["mart"] = 0
    state = refresh_mart()
    customer.refresh_from_db()
    log.info(
        "customer erased",
        extra={"event": "privacy.erasure", "details": {"customer": customer.pk, "mart": state}},
    )
    return {**ctx.counts, "mart": state}


def anonymise_customer(actor: Any, customer: Any) -> dict[str, Any]:
    """The retention job's entry point (privacy/retention.py): the same erasure, without a
    data-subject request."""
    return erase_customer(actor, customer)
