"""Recording consent: every change is a new `ConsentEvent`; the `ConsentState` of its
(customer, purpose, channel) follows in the same transaction (relasi/privacy/models/consent.py).

    consent.record(actor, customer, "marketing", "email", "granted", source="staff_call",
                   wording="Boleh kami kirim promo lewat e-mail?", evidence="call #123")

Double opt-in: a grant from a source that does not prove the person controls the address
(a web form, the API, staff typing it in) is recorded as *pending* on channels whose policy asks
for confirmation; the person confirms with the e-mail link (relasi/privacy/links.py) or by
replying YA (relasi/privacy/keywords.py), which records the grant."""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.privacy import defaults
from relasi.privacy.choices import Channel, ConsentSource, ConsentStatus, LawfulBasis
from relasi.privacy.models import ChannelPolicy, ConsentEvent, ConsentState, Purpose

# Sources that prove the person controls the address on that channel.
_CONFIRMING: dict[str, set[str]] = {
    Channel.EMAIL: {
        ConsentSource.EMAIL_LINK,
        ConsentSource.PREFERENCE_CENTRE,  # reached through a signed link sent by e-mail
        ConsentSource.PORTAL,  # signed in with a link sent by e-mail
    },
    Channel.WHATSAPP: {ConsentSource.WHATSAPP_REPLY, ConsentSource.STAFF_CALL},
    Channel.SMS: {ConsentSource.SMS_REPLY, ConsentSource.STAFF_CALL},
    Channel.PHONE: {ConsentSource.STAFF_CALL},
    Channel.POST: set(),
}
# Imports and the records Relasi had before the ledger carry the business's own evidence:
# recorded as they are (an import with no consent column records nothing at all).
_AS_RECORDED = {ConsentSource.IMPORT, ConsentSource.MIGRATION, ConsentSource.SYSTEM}


def ensure_defaults() -> None:
    defaults.ensure(Purpose, ChannelPolicy)


def purpose_for(purpose: "Purpose | str") -> Purpose:
    if isinstance(purpose, Purpose):
        return purpose
    found = Purpose.objects.filter(key=purpose).first()
    if found is None and purpose in {p[0] for p in defaults.PURPOSES}:
        ensure_defaults()  # a flushed test database
        found = Purpose.objects.filter(key=purpose).first()
    if found is None:
        raise ValidationError({"purpose": [_("Unknown purpose “%(key)s”.") % {"key": purpose}]})
    return found


def policy_for(channel: str) -> ChannelPolicy:
    found = ChannelPolicy.objects.filter(channel=channel).first()
    if found is None:
        ensure_defaults()
        found = ChannelPolicy.objects.filter(channel=channel).first()
    if found is None:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    return found


def wording_version(wording: str) -> str:
    """A version for a text nobody numbered: the start of its SHA-256 (same text, same id)."""
    return hashlib.sha256(wording.strip().encode()).hexdigest()[:12] if wording.strip() else ""


def needs_confirmation(channel: str, source: str) -> bool:
    if source in _AS_RECORDED or source in _CONFIRMING.get(channel, set()):
        return False
    return policy_for(channel).double_opt_in


def _validate(channel: str, status: str, source: str, basis: str) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if status not in ConsentStatus.values:
        errors["status"] = [_("Unknown status.")]
    if source not in ConsentSource.values:
        errors["source"] = [_("Unknown source.")]
    if basis and basis not in LawfulBasis.values:
        errors["basis"] = [_("Unknown lawful basis.")]
    if errors:
        raise ValidationError(errors)


def _apply(event: ConsentEvent) -> bool:
    """Make `event` the state of its triple unless a newer event already is. True if it did."""
    key = {
        "customer_id": event.customer_id,
        "purpose_id": event.purpose_id,
        "channel": event.channel,
    }
    newer_than_state = Q(occurred_at__lt=event.occurred_at) | Q(
        occurred_at=event.occurred_at, event_id__lt=event.pk
    )
    values = {"status": event.status, "event_id": event.pk, "occurred_at": event.occurred_at}
    if ConsentState.objects.filter(**key).filter(newer_than_state).update(**values):
        return True
    if ConsentState.objects.filter(**key).exists():
        return False  # a newer event is the state
    try:
        with transaction.atomic():
            ConsentState.objects.create(**key, **values)
        return True
    except IntegrityError:  # another transaction created it meanwhile: compare again
        return bool(ConsentState.objects.filter(**key).filter(newer_than_state).update(**values))


def record(
    actor: Any,
    customer: Any,
    purpose: "Purpose | str",
    channel: str,
    status: str,
    *,
    source: str,
    basis: str = "",
    wording: str = "",
    version: str = "",
    evidence: str = "",
    ip: str | None = None,
    occurred_at: dt.datetime | None = None,
    confirm: bool = True,
) -> ConsentEvent:
    """Append one event and update the current state. A grant that needs confirming (double
    opt-in, see the module docstring) is stored as pending and, when `confirm`, the
    confirmation is requested (an e-mail with a link; on WhatsApp/SMS the next message asks
    for YA). Returns the event."""
    purpose_obj = purpose_for(purpose)
    basis = basis or purpose_obj.basis
    _validate(channel, status, source, basis)
    if status == ConsentStatus.GRANTED and needs_confirmation(channel, source):
        status = ConsentStatus.PENDING
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        before = current_status(customer, purpose_obj, channel)
        event = ConsentEvent.objects.create(
            customer=customer,
            purpose=purpose_obj,
            channel=channel,
            status=status,
            basis=basis,
            source=source,
            wording=wording[:2000],
            wording_version=(version or wording_version(wording))[:40],
            evidence=evidence[:300],
            ip_address=ip or None,
            occurred_at=occurred_at or timezone.now(),
            actor=user,
        )
        if _apply(event) and before != status:
            audit.record(
                actor,
                AuditAction.UPDATE,
                customer,
                changes={f"consent:{purpose_obj.key}:{channel}": [before, status]},
                ip=ip,
            )
        if status == ConsentStatus.PENDING and confirm:
            from relasi.privacy import links

            if links.can_request(channel):
                transaction.on_commit(lambda: links.send_confirmation(event.pk))
    return event


def current_status(customer: Any, purpose: "Purpose | str", channel: str) -> str | None:
    return (
        ConsentState.objects.filter(
            customer=customer, purpose=purpose_for(purpose), channel=channel
        )
        .values_list("status", flat=True)
        .first()
    )


@dataclass
class Cell:
    purpose: Purpose
    channel: str
    channel_label: Any
    state: ConsentState | None

    @property
    def status(self) -> str:
        return self.state.status if self.state else ""


def grid(customer: Any) -> list[tuple[Purpose, list[Cell]]]:
    """Purposes × channels with each current state (None: nothing recorded)."""
    ensure_defaults()
    states = {
        (s.purpose_id, s.channel): s
        for s in ConsentState.objects.filter(customer=customer).select_related("event")
    }
    return [
        (p, [Cell(p, ch, label, states.get((p.pk, ch))) for ch, label in Channel.choices])
        for p in Purpose.objects.filter(active=True)
    ]


def history(customer: Any, limit: int = 100) -> Iterable[ConsentEvent]:
    return customer.consent_events.select_related("purpose", "actor")[:limit]


def rebuild_states(customer_ids: Iterable[int] | None = None) -> int:
    """Recompute the current state from the ledger (all customers, or some). Returns the number
    of states written. The ledger is the truth; this repairs a state table edited by hand or
    restored from another backup."""
    events = ConsentEvent.objects.all()
    states = ConsentState.objects.all()
    if customer_ids is not None:
        ids = list(customer_ids)
        events, states = events.filter(customer_id__in=ids), states.filter(customer_id__in=ids)
    latest: dict[tuple[int, int, str], tuple[dt.datetime, int, str]] = {}
    rows = events.order_by().values_list(
        "customer_id", "purpose_id", "channel", "occurred_at", "id", "status"
    )
    for customer_id, purpose_id, channel, at, pk, status in rows.iterator(chunk_size=5000):
        key = (customer_id, purpose_id, channel)
        if key not in latest or (at, pk) > latest[key][:2]:
            latest[key] = (at, pk, status)
    with transaction.atomic():
        states.delete()
        ConsentState.objects.bulk_create(
            [
                ConsentState(
                    customer_id=c, purpose_id=p, channel=ch, status=s, event_id=pk, occurred_at=at
                )
                for (c, p, ch), (at, pk, s) in latest.items()
            ],
            batch_size=2000,
        )
    return len(latest)


def move(from_customer_id: int, to_customer_id: int) -> None:
    """A merge moved the ledger from one customer to another: rebuild the survivor's state."""
    ConsentState.objects.filter(customer_id=from_customer_id).delete()
    rebuild_states([to_customer_id])
