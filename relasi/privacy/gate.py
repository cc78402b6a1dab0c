"""The one answer to "may I contact this person on this channel for this purpose now?".

Every message Relasi sends to a customer asks here first:

    decision = gate.may_contact(customer, "email", "service")
    if decision:                      # truthy when allowed
        ...send...
        gate.record_sent(customer, "email", "service")
    else:
        log(decision.reason, decision.message, decision.not_before)

The checks, in order: an address on the channel; the suppression list (bounces, complaints,
STOP from unknown numbers, erased people); the blacklist (for purposes it blocks); the consent
ledger's current state (a purpose on the consent basis needs a granted consent; one on contract
or legitimate interests is allowed until the person withdraws/objects); quiet hours (per channel,
local time of its zone, for purposes that respect them) and the weekly cap (per channel, counting
messages of capped purposes in the last 7 days). Quiet hours and caps answer with `not_before`:
when the message could go instead.

`filter_contactable()` answers the same question for a whole campaign in one query."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.privacy import suppression
from relasi.privacy.choices import Channel, ConsentStatus
from relasi.privacy.consent import policy_for, purpose_for
from relasi.privacy.models import ChannelPolicy, ConsentState, ContactLog, Purpose

CAP_WINDOW = dt.timedelta(days=7)

REASONS: dict[str, Any] = {
    "ok": _("Allowed."),
    "no_address": _("No address on this channel."),
    "suppressed": _("The address is on the suppression list."),
    "blacklisted": _("The customer is blacklisted."),
    "no_consent": _("No consent recorded for this purpose on this channel."),
    "pending": _("Consent is waiting for the person's confirmation."),
    "withdrawn": _("The person withdrew consent or objected."),
    "quiet_hours": _("Quiet hours on this channel."),
    "cap_reached": _("The weekly limit of messages on this channel is reached."),
    "inactive": _("This purpose is switched off."),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    not_before: dt.datetime | None = None
    address: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


class NotPermitted(Exception):
    """A sender asked and the gate said no (`decision` says why)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.message)
        self.decision = decision


def address_for(customer: Any, channel: str) -> str:
    """The address a message on `channel` goes to (the primary e-mail or phone)."""
    if customer is None:
        return ""
    if channel == Channel.EMAIL:
        return (customer.primary_email or "").strip().lower()
    if channel in (Channel.WHATSAPP, Channel.SMS, Channel.PHONE):
        return customer.primary_phone or ""
    if channel == Channel.POST:
        first = customer.addresses.order_by("-is_primary", "id").first()
        return str(first.pk) if first is not None else ""
    return ""


def _local(policy: ChannelPolicy, at: dt.datetime) -> dt.datetime:
    try:
        zone = zoneinfo.ZoneInfo(policy.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Asia/Jakarta")
    return at.astimezone(zone)


def quiet_until(policy: ChannelPolicy, at: dt.datetime) -> dt.datetime | None:
    """When quiet hours on `policy` end, if `at` falls inside them; else None."""
    local = _local(policy, at)
    if policy.quiet_end is None or not policy.in_quiet_hours(local.time()):
        return None
    end = local.replace(
        hour=policy.quiet_end.hour, minute=policy.quiet_end.minute, second=0, microsecond=0
    )
    if end <= local:
        end += dt.timedelta(days=1)
    return end


def sent_in_window(customer_id: int, channel: str, at: dt.datetime) -> list[dt.datetime]:
    return list(
        ContactLog.objects.filter(
            customer_id=customer_id,
            channel=channel,
            purpose__capped=True,
            sent_at__gt=at - CAP_WINDOW,
            sent_at__lte=at,
        )
        .order_by("sent_at")
        .values_list("sent_at", flat=True)
    )


@dataclass
class _Facts:
    """What a decision needs to know, fetched one way for one person and in bulk for many."""

    address: str
    suppressed: bool
    blacklisted: bool
    status: str | None
    sent: list[dt.datetime]  # capped messages in the window, oldest first


def _decide(
    purpose: Purpose, policy: ChannelPolicy, facts: _Facts, at: dt.datetime, requested: bool
) -> Decision:
    address = facts.address
    if not address:
        return Decision(False, "no_address")
    if facts.suppressed:
        return Decision(False, "suppressed", address=address)
    if requested:
        return Decision(True, "ok", address=address)
    if not purpose.active:
        return Decision(False, "inactive", address=address)
    if purpose.blocked_by_blacklist and facts.blacklisted:
        return Decision(False, "blacklisted", address=address)
    if facts.status == ConsentStatus.WITHDRAWN:
        return Decision(False, "withdrawn", address=address)
    if purpose.needs_consent and facts.status != ConsentStatus.GRANTED:
        return Decision(False, "pending" if facts.status == ConsentStatus.PENDING else "no_consent")
    if purpose.respects_quiet_hours:
        until = quiet_until(policy, at)
        if until is not None:
            return Decision(False, "quiet_hours", not_before=until, address=address)
    if purpose.capped and policy.weekly_cap and len(facts.sent) >= policy.weekly_cap:
        free_at = facts.sent[len(facts.sent) - policy.weekly_cap] + CAP_WINDOW
        return Decision(False, "cap_reached", not_before=free_at, address=address)
    return Decision(True, "ok", address=address)


def _clean_address(channel: str, address: str) -> str:
    address = (address or "").strip()
    return address.lower() if channel == Channel.EMAIL else address


def may_contact(
    customer: Any,
    channel: str,
    purpose: "Purpose | str",
    *,
    at: dt.datetime | None = None,
    address: str = "",
    requested: bool = False,
) -> Decision:
    """Decide for one person (or, with `customer=None`, an address nobody in Relasi owns, such
    as a lead's). `address` overrides the customer's primary one (a quote sent to a typed
    address). `requested`: the person asked for this very message just now (a sign-in link, the
    confirmation of their own consent): only the address and the suppression list are checked."""
    at = at or timezone.now()
    purpose_obj = purpose_for(purpose)
    policy = policy_for(channel)
    address = _clean_address(channel, address or address_for(customer, channel))
    status = None
    if customer is not None:
        status = (
            ConsentState.objects.filter(customer=customer, purpose=purpose_obj, channel=channel)
            .values_list("status", flat=True)
            .first()
        )
    capped = purpose_obj.capped and policy.weekly_cap and customer is not None
    facts = _Facts(
        address=address,
        suppressed=bool(address) and suppression.is_suppressed(channel, address),
        blacklisted=bool(customer is not None and customer.is_blacklisted),
        status=status,
        sent=sent_in_window(customer.pk, channel, at) if capped else [],
    )
    return _decide(purpose_obj, policy, facts, at, requested)


def record_sent(
    customer: Any, channel: str, purpose: "Purpose | str", at: dt.datetime | None = None
) -> None:
    """Count one message towards the weekly cap (call it when the message is handed over)."""
    if customer is None:
        return
    ContactLog.objects.create(
        customer=customer,
        channel=channel,
        purpose=purpose_for(purpose),
        sent_at=at or timezone.now(),
    )


@dataclass
class _Plan:
    """A campaign question split in two: the candidates (an index scan of the state table, or
    every customer less the objections) and the people to take out of them (small sets, each
    found through its own index: no address, suppressed, blacklisted, at the weekly cap)."""

    candidates: QuerySet | None  # values_list of ids; None: nobody (quiet hours, switched off)
    id_field: str = "customer_id"
    unwanted: QuerySet | None = None  # Customer ids
    capped: QuerySet | None = None  # customer ids at the cap


def _plan(
    channel: str, purpose: "Purpose | str", customers: QuerySet | None, at: dt.datetime
) -> _Plan:
    from relasi.customers.models import Customer

    purpose_obj = purpose_for(purpose)
    if channel not in Channel.values or not purpose_obj.active:
        return _Plan(None)
    policy = policy_for(channel)
    if purpose_obj.respects_quiet_hours and quiet_until(policy, at) is not None:
        return _Plan(None)
    column = "primary_email" if channel == Channel.EMAIL else "primary_phone"
    unwanted = Q(pk__in=[])
    if channel != Channel.POST:
        unwanted |= Q(**{column: ""})
        if suppression.any_for(channel):
            unwanted |= Q(**{f"{column}__in": suppression.addresses(channel)})
    if purpose_obj.blocked_by_blacklist:
        unwanted |= Q(is_blacklisted=True)
    ids: QuerySet
    if purpose_obj.needs_consent:
        ids = ConsentState.objects.filter(
            purpose=purpose_obj, channel=channel, status=ConsentStatus.GRANTED
        ).values_list("customer_id", flat=True)
        id_field = "customer_id"
    else:
        # Everyone, less those who withdrew (objected).
        withdrawn = ConsentState.objects.filter(
            purpose=purpose_obj, channel=channel, status=ConsentStatus.WITHDRAWN
        ).values("customer_id")
        ids = Customer.objects.exclude(pk__in=withdrawn).values_list("pk", flat=True)
        id_field = "pk"
    if customers is not None:
        ids = ids.filter(**{f"{id_field}__in": customers.values("pk")})
    capped = None
    if purpose_obj.capped and policy.weekly_cap:
        capped = (
            ContactLog.objects.filter(
                channel=channel, purpose__capped=True, sent_at__gt=at - CAP_WINDOW, sent_at__lte=at
            )
            .values("customer_id")
            .annotate(n=Count("id"))
            .filter(n__gte=policy.weekly_cap)
            .values_list("customer_id", flat=True)
        )
    return _Plan(
        ids, id_field, Customer.objects.filter(unwanted).values_list("pk", flat=True), capped
    )


def filter_contactable(
    channel: str,
    purpose: "Purpose | str",
    *,
    customers: QuerySet | None = None,
    at: dt.datetime | None = None,
) -> QuerySet:
    """The ids of every customer (of `customers`, when given) who may be contacted now, as one
    query to filter or count with (the list filter, the API): the same rules as `may_contact`.
    Quiet hours make the answer empty (nobody now); ask `quiet_until()` for when instead."""
    plan = _plan(channel, purpose, customers, at or timezone.now())
    if plan.candidates is None:
        return ConsentState.objects.none().values_list("customer_id", flat=True)
    ids = plan.candidates.exclude(**{f"{plan.id_field}__in": plan.unwanted})
    if plan.capped is not None:
        ids = ids.exclude(**{f"{plan.id_field}__in": plan.capped})
    return ids


def contactable_ids(
    channel: str,
    purpose: "Purpose | str",
    *,
    customers: QuerySet | None = None,
    at: dt.datetime | None = None,
) -> list[int]:
    """`filter_contactable` as a sorted list, for a campaign batch. (Taking the difference in
    memory instead was measured slower: 11.5x the plain scan at 1,000,000 people on SQLite,
    against 1.1x for the single statement.)"""
    return sorted(filter_contactable(channel, purpose, customers=customers, at=at))


def decisions(customer: Any, at: dt.datetime | None = None) -> dict[tuple[str, str], Decision]:
    """Every (purpose key, channel) decision for one customer (the 360° grid, the API), with
    a fixed number of queries: the same rules as `may_contact`."""
    from collections import defaultdict

    from relasi.privacy.consent import ensure_defaults
    from relasi.privacy.models import Suppression

    at = at or timezone.now()
    policies = {p.channel: p for p in ChannelPolicy.objects.all()}
    if len(policies) < len(Channel.values):
        ensure_defaults()
        policies = {p.channel: p for p in ChannelPolicy.objects.all()}
    purposes = list(Purpose.objects.filter(active=True))
    states = {
        (pid, ch): st
        for pid, ch, st in ConsentState.objects.filter(customer=customer).values_list(
            "purpose_id", "channel", "status"
        )
    }
    addresses = {ch: _clean_address(ch, address_for(customer, ch)) for ch in Channel.values}
    wanted = {(ch, key) for ch, a in addresses.items() if a for key in suppression.keys(ch, a)}
    suppressed_pairs = set(
        Suppression.objects.filter(address__in={a for _c, a in wanted}).values_list(
            "channel", "address"
        )
    )
    sent: dict[str, list[dt.datetime]] = defaultdict(list)
    for channel, when in (
        ContactLog.objects.filter(
            customer_id=customer.pk,
            purpose__capped=True,
            sent_at__gt=at - CAP_WINDOW,
            sent_at__lte=at,
        )
        .order_by("sent_at")
        .values_list("channel", "sent_at")
    ):
        sent[channel].append(when)
    out = {}
    for ch in Channel.values:
        address = addresses[ch]
        suppressed = bool(address) and any(
            (ch, key) in suppressed_pairs for key in suppression.keys(ch, address)
        )
        for p in purposes:
            facts = _Facts(address, suppressed, customer.is_blacklisted,
                           states.get((p.pk, ch)), sent[ch])  # fmt: skip
            out[(p.key, ch)] = _decide(p, policies[ch], facts, at, False)
    return out
