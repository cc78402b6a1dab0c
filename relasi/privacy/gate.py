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
    address = (address or address_for(customer, channel)).strip()
    if channel == Channel.EMAIL:
        address = address.lower()
    if not address:
        return Decision(False, "no_address")
    if suppression.is_suppressed(channel, address):
        return Decision(False, "suppressed", address=address)
    if requested:
        return Decision(True, "ok", address=address)
    if not purpose_obj.active:
        return Decision(False, "inactive", address=address)
    if customer is not None and purpose_obj.blocked_by_blacklist and customer.is_blacklisted:
        return Decision(False, "blacklisted", address=address)
    status = None
    if customer is not None:
        status = (
            ConsentState.objects.filter(customer=customer, purpose=purpose_obj, channel=channel)
            .values_list("status", flat=True)
            .first()
        )
    if status == ConsentStatus.WITHDRAWN:
        return Decision(False, "withdrawn", address=address)
    if purpose_obj.needs_consent and status != ConsentStatus.GRANTED:
        return Decision(False, "pending" if status == ConsentStatus.PENDING else "no_consent")
    if purpose_obj.respects_quiet_hours:
        until = quiet_until(policy, at)
        if until is not None:
            return Decision(False, "quiet_hours", not_before=until, address=address)
    if purpose_obj.capped and policy.weekly_cap and customer is not None:
        sent = sent_in_window(customer.pk, channel, at)
        if len(sent) >= policy.weekly_cap:
            free_at = sent[len(sent) - policy.weekly_cap] + CAP_WINDOW
            return Decision(False, "cap_reached", not_before=free_at, address=address)
    return Decision(True, "ok", address=address)


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


def filter_contactable(
    channel: str,
    purpose: "Purpose | str",
    *,
    customers: QuerySet | None = None,
    at: dt.datetime | None = None,
) -> QuerySet:
    """The ids of every customer (of `customers`, when given) who may be contacted now: the
    same rules as `may_contact`, as one query. Quiet hours make the answer empty (nobody now);
    ask `quiet_until()` for when to send instead."""
    from relasi.customers.models import Customer

    at = at or timezone.now()
    purpose_obj = purpose_for(purpose)
    policy = policy_for(channel)
    none = ConsentState.objects.none().values_list("customer_id", flat=True)
    if not purpose_obj.active:
        return none
    if purpose_obj.respects_quiet_hours and quiet_until(policy, at) is not None:
        return none
    person = Q()
    if channel == Channel.EMAIL:
        person &= Q(customer__primary_email__gt="")
    elif channel in (Channel.WHATSAPP, Channel.SMS, Channel.PHONE):
        person &= Q(customer__primary_phone__gt="")
    if purpose_obj.blocked_by_blacklist:
        person &= Q(customer__is_blacklisted=False)
    if purpose_obj.needs_consent:
        ids = ConsentState.objects.filter(
            person, purpose=purpose_obj, channel=channel, status=ConsentStatus.GRANTED
        )
    else:
        # Everyone with an address, less those who withdrew (objected).
        field_q = {k.removeprefix("customer__"): v for k, v in person.children}  # type: ignore[misc]
        withdrawn = ConsentState.objects.filter(
            purpose=purpose_obj, channel=channel, status=ConsentStatus.WITHDRAWN
        ).values("customer_id")
        base = Customer.objects.filter(**field_q).exclude(pk__in=withdrawn)
        if customers is not None:
            base = base.filter(pk__in=customers.values("pk"))
        ids_qs = base.values_list("pk", flat=True)
        return _less_suppressed_and_capped(ids_qs, "pk", channel, purpose_obj, policy, at)
    if customers is not None:
        ids = ids.filter(customer_id__in=customers.values("pk"))
    return _less_suppressed_and_capped(
        ids.values_list("customer_id", flat=True), "customer_id", channel, purpose_obj, policy, at
    )


def _less_suppressed_and_capped(
    ids: QuerySet,
    id_field: str,
    channel: str,
    purpose: Purpose,
    policy: ChannelPolicy,
    at: dt.datetime,
) -> QuerySet:
    prefix = "" if id_field == "pk" else "customer__"
    column = "primary_email" if channel == Channel.EMAIL else "primary_phone"
    if channel != Channel.POST and suppression.any_for(channel):
        ids = ids.exclude(**{f"{prefix}{column}__in": suppression.addresses(channel)})
    if purpose.capped and policy.weekly_cap:
        over = (
            ContactLog.objects.filter(
                channel=channel, purpose__capped=True, sent_at__gt=at - CAP_WINDOW, sent_at__lte=at
            )
            .values("customer_id")
            .annotate(n=Count("id"))
            .filter(n__gte=policy.weekly_cap)
            .values("customer_id")
        )
        ids = ids.exclude(**{f"{id_field}__in": over})
    return ids


def decisions(customer: Any, at: dt.datetime | None = None) -> dict[tuple[str, str], Decision]:
    """Every (purpose key, channel) decision for one customer (the 360° grid, the API)."""
    at = at or timezone.now()
    return {
        (p.key, ch): may_contact(customer, ch, p, at=at)
        for p in Purpose.objects.filter(active=True)
        for ch in Channel.values
    }
