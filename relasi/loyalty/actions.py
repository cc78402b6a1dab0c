"""Every state change of the loyalty app: enrolment, earning from orders, redemption,
adjustments, reversals and transfers. Ledger writes go through `ledger` with the member
locked; the earn for an order is recomputed from the order as it is now, so re-sending,
paying, cancelling or returning part of it posts exactly the difference."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit
from relasi.core.choices import AuditAction
from relasi.loyalty import ledger, rules
from relasi.loyalty.choices import EnrolChannel, EntryKind, MemberStatus
from relasi.loyalty.models import LedgerEntry, Member, Programme

# Application-form fields that go to the person's record in customers.
FORM_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "occupation",
    "income_band",
    "region",
    "preferred_language",
)
EARNING_STATUSES = {"paid", "completed"}
ORDER_KINDS = (EntryKind.EARN, EntryKind.BONUS, EntryKind.REVERSE)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def valid_number(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def _next_number(programme: Programme) -> str:
    """Prefix + 9-digit sequence + Luhn check digit (a typo on the till is caught)."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # serialise
    prefix = "".join(ch for ch in programme.number_prefix if ch.isdigit())
    last = Member.objects.filter(programme=programme, number__startswith=prefix).aggregate(
        m=Max("number")
    )["m"]
    seq = int(last[len(prefix) : -1]) + 1 if last else 1
    body = f"{prefix}{seq:09d}"
    return body + luhn_digit(body)


def enrol(
    actor: Any,
    programme: Programme,
    *,
    customer: Any = None,
    form: dict[str, Any] | None = None,
    email: str = "",
    phone: str = "",
    consents: dict[str, bool] | None = None,
    consent_wording: str = "",
    channel: str = EnrolChannel.STAFF,
    store: Any = None,
    enrolled_at: dt.datetime | None = None,
) -> Member:
    """Enrol a person: the application form's fields go to their customer record (a new
    person when `customer` is None), the marketing consents asked on the form are recorded in
    the privacy ledger, and a member number is issued."""
    from relasi.customers import actions as customers
    from relasi.privacy import consent
    from relasi.privacy.choices import ConsentSource, ConsentStatus

    if not programme.active:
        raise ValidationError({"programme": [_("This programme is not active.")]})
    data = {k: v for k, v in (form or {}).items() if k in FORM_FIELDS and v not in (None, "")}
    with transaction.atomic():
        if customer is None:
            customer = customers.create_customer(
                actor,
                "person",
                data,
                emails=[email] if email else [],
                phones_=[phone] if phone else [],
            )
        elif data:
            customer = customers.update_customer(actor, customer, data)
        if Member.objects.filter(programme=programme, customer=customer).exists():
            raise ValidationError({"customer": [_("This person is already a member.")]})
        member = Member.objects.create(
            programme=programme,
            customer=customer,
            number=_next_number(programme),
            channel=channel,
            enrolled_by=_user(actor),
            home_store=store,
            enrolled_at=enrolled_at or timezone.now(),
        )
        sources: dict[str, str] = {
            EnrolChannel.API: ConsentSource.API,
            EnrolChannel.PORTAL: ConsentSource.PORTAL,
            EnrolChannel.IMPORT: ConsentSource.IMPORT,
        }
        source = sources.get(channel, ConsentSource.STAFF)
        for ch, granted in (consents or {}).items():
            consent.record(
                actor,
                customer,
                "marketing",
                ch,
                ConsentStatus.GRANTED if granted else ConsentStatus.WITHDRAWN,
                source=source,
                wording=consent_wording or _("Loyalty application form"),
                evidence=f"loyalty member {member.number}",
            )
        audit.record(
            actor, AuditAction.CREATE, customer, message=f"loyalty: enrolled {member.number}"
        )
    return member


def set_status(actor: Any, member: Member, status: str) -> Member:
    if status not in MemberStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    with transaction.atomic():
        locked = ledger.lock(member.pk)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit.record(actor, AuditAction.UPDATE, locked.customer, message=f"loyalty: {status}")
    return locked


# --- earning from orders -----------------------------------------------------------------------


def member_for_order(order: Any) -> Member | None:
    if not order.customer_id:
        return None
    return (
        Member.objects.filter(customer_id=order.customer_id, programme__active=True)
        .select_related("programme")
        .order_by("pk")
        .first()
    )


def _earns(member: Member, order: Any) -> bool:
    p = member.programme
    if order.status not in EARNING_STATUSES or order.order_date < p.starts_on:
        return False
    return order.ordered_at >= member.enrolled_at - dt.timedelta(days=p.retro_days)


def _is_first(member: Member, order: Any) -> bool:
    mine = LedgerEntry.objects.filter(member=member, order=order, kind=EntryKind.EARN)
    others = LedgerEntry.objects.filter(member=member, kind=EntryKind.EARN, order__isnull=False)
    others = others.exclude(order=order)
    if first := mine.order_by("pk").first():
        others = others.filter(pk__lt=first.pk)
    return not others.exists()


def order_quote(member: Member, order: Any, book: rules.RuleBook | None = None) -> rules.Quote:
    book = book or rules.RuleBook(member.programme)
    dob = getattr(member.customer, "date_of_birth", None)
    local = timezone.localtime(order.ordered_at)
    return book.quote(
        rules.lines_of(order),
        local.date(),
        birthday_month=bool(dob and dob.month == local.month),
        first=_is_first(member, order),
    )


def sync_order(actor: Any, order: Any) -> int:
    """Bring the member's points for `order` to what the order earns now; returns the points
    posted (negative: reversed). Runs inside the caller's transaction."""
    member = member_for_order(order)
    if member is None:
        return 0
    with transaction.atomic():
        member = ledger.lock(member.pk)
        target = order_quote(member, order).points if _earns(member, order) else 0
        entries = LedgerEntry.objects.filter(member=member, order=order, kind__in=ORDER_KINDS)
        current = int(entries.aggregate(s=Sum("points"))["s"] or 0)
        diff = target - current
        if diff == 0:
            return 0
        n = entries.count() + 1
        common = {
            "order": order,
            "store_id": order.store_id,
            "staff": _user(actor),
            "external_ref": f"order:{order.pk}:{n}",
            "meta": {"target": target},
        }
        if diff > 0:
            ledger.post(
                member, EntryKind.EARN, diff, amount=order.total - order.returned_total, **common
            )
        else:
            # A reversal never takes the balance below zero: points already spent stay spent,
            # and what cannot be taken back is noted on the entry.
            take = min(-diff, member.balance)
            if take:
                common["meta"]["short"] = -diff - take
                ledger.post(
                    member,
                    EntryKind.REVERSE,
                    -take,
                    reason=_("Order cancelled or returned"),
                    **common,
                )
            diff = -take
    return diff


def on_order_changed(sender: Any, order: Any, reason: str, actor: Any = None, **kw: Any) -> None:
    if reason == "deleted":
        order.status = "cancelled"  # its points go back as if it were cancelled
    sync_order(actor, order)


# --- burning, adjusting, reversing, transferring -------------------------------------------------


def redeem(
    actor: Any,
    member: Member,
    points: int,
    *,
    external_ref: str = "",
    order: Any = None,
    reason: str = "",
) -> ledger.Posted:
    """Spend points for a rupiah discount (points × the programme's point value)."""
    with transaction.atomic():
        locked = ledger.lock(member.pk)
        p = locked.programme
        if points < p.min_redemption:
            raise ValidationError(
                {"points": [_("At least %(n)s points per redemption.") % {"n": p.min_redemption}]}
            )
        posted = ledger.debit(
            locked,
            EntryKind.REDEEM,
            points,
            amount=rules.value_of(p, points),
            external_ref=external_ref,
            order=order,
            store_id=getattr(order, "store_id", None),
            staff=_user(actor),
            reason=reason[:300],
        )
    member.balance = locked.balance
    return posted


def adjust(
    actor: Any, member: Member, points: int, reason: str, external_ref: str = ""
) -> ledger.Posted:
    """A correction by staff: always with a reason, kept as its own entry."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the points are adjusted.")]})
    if not _user(actor):
        raise ValidationError({"staff": [_("Adjustments are made by a member of staff.")]})
    with transaction.atomic():
        locked = ledger.lock(member.pk)
        if points < 0 and -points > locked.balance:
            raise ValidationError(
                {"points": [_("Not enough points: the balance is %(n)s.") % {"n": locked.balance}]}
            )
        posted = ledger.post(
            locked,
            EntryKind.ADJUST,
            points,
            staff=actor,
            reason=reason[:300],
            external_ref=external_ref,
        )
        audit.record(
            actor, AuditAction.UPDATE, locked.customer, message=f"loyalty: adjust {points:+d}"
        )
    member.balance = locked.balance
    return posted


def reverse(actor: Any, entry: LedgerEntry, reason: str) -> ledger.Posted:
    """Undo one entry with its opposite (once): a redemption gives the points back, an earn or
    adjustment takes them away (as far as the balance allows none of them were spent)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the entry is reversed.")]})
    if entry.kind in (EntryKind.REVERSE, EntryKind.EXPIRE):
        raise ValidationError({"entry": [_("This entry cannot be reversed.")]})
    if entry.kind in (EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT):
        raise ValidationError({"entry": [_("Reverse a transfer with a transfer back.")]})
    with transaction.atomic():
        locked = ledger.lock(entry.member_id)
        if -entry.points < 0 and entry.points > locked.balance:
            raise ValidationError({"points": [_("Not enough points left to reverse this entry.")]})
        return ledger.post(
            locked,
            EntryKind.REVERSE,
            -entry.points,
            reverses=entry,
            order=entry.order,
            store_id=entry.store_id,
            staff=_user(actor),
            reason=reason[:300],
            external_ref=f"reverse:{entry.pk}",
        )


def transfer(
    actor: Any,
    source: Member,
    target: Member,
    points: int,
    reason: str = "",
    external_ref: str = "",
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move points between two members of the same programme, when the programme allows it.
    Both rows are locked in id order, so two opposite transfers cannot deadlock."""
    if source.pk == target.pk or source.programme_id != target.programme_id:
        raise ValidationError({"target": [_("Choose another member of the same programme.")]})
    if not source.programme.allow_transfer:
        raise ValidationError({"target": [_("This programme does not allow transfers.")]})
    with transaction.atomic():
        first, second = sorted([source.pk, target.pk])
        locked = {first: ledger.lock(first), second: ledger.lock(second)}
        src, dst = locked[source.pk], locked[target.pk]
        ref = external_ref or ""
        out = ledger.debit(
            src, EntryKind.TRANSFER_OUT, points, staff=_user(actor), reason=reason[:300],
            external_ref=f"{ref}:out" if ref else "",
        )  # fmt: skip
        if not out.created:
            return out.entry, LedgerEntry.objects.get(
                programme_id=dst.programme_id, external_ref=f"{ref}:in"
            )
        inn = ledger.post(
            dst, EntryKind.TRANSFER_IN, points, staff=_user(actor), reason=reason[:300],
            counterpart=out.entry, external_ref=f"{ref}:in" if ref else "",
        )  # fmt: skip
        audit.record(actor, AuditAction.UPDATE, src.customer, message=f"loyalty: transfer {points}")
    return out.entry, inn.entry
