"""The only code that writes ledger entries and the cached balance.

Every write happens with the member's row locked (`SELECT … FOR UPDATE` on PostgreSQL; on
SQLite the IMMEDIATE transaction already holds the database's write lock from BEGIN), so two
redemptions at once are serialised: the second sees the first one's debit and is refused if
the points are gone. The balance cache moves in the same statement sequence as the entry, and
a check constraint keeps it from ever going below zero."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.loyalty import rules
from relasi.loyalty.choices import EntryKind, MemberStatus
from relasi.loyalty.models import LedgerEntry, Member

CREDITS = {EntryKind.EARN, EntryKind.BONUS, EntryKind.TRANSFER_IN}
DEBITS = {EntryKind.REDEEM, EntryKind.EXPIRE, EntryKind.TRANSFER_OUT}


class DuplicateReference(ValidationError):
    """The external reference was used before for a different movement."""


@dataclass
class Posted:
    entry: LedgerEntry
    created: bool


def lock(member_id: int) -> Member:
    """The member, locked until the end of the transaction (call inside `atomic`)."""
    return Member.objects.select_for_update().select_related("programme").get(pk=member_id)


def existing(member: Member, external_ref: str) -> LedgerEntry | None:
    if not external_ref:
        return None
    return LedgerEntry.objects.filter(
        programme_id=member.programme_id, external_ref=external_ref
    ).first()


def _same(entry: LedgerEntry, member: Member, kind: str, points: int) -> bool:
    return entry.member_id == member.pk and entry.kind == kind and entry.points == points


def post(
    member: Member, kind: str, points: int, *, external_ref: str = "", **fields: Any
) -> Posted:
    """Append one entry and move the cached balance (the member must be locked). A known
    `external_ref` returns the entry it created the first time (created=False) — the same
    movement re-sent — or raises DuplicateReference if it named a different movement."""
    if points == 0:
        raise ValidationError({"points": [_("A movement of zero points records nothing.")]})
    if before := existing(member, external_ref):
        if not _same(before, member, kind, points):
            raise DuplicateReference(
                {"external_ref": [_("This reference was already used for another movement.")]}
            )
        return Posted(before, False)
    at = fields.pop("occurred_at", None) or timezone.now()
    if points > 0 and "expires_at" not in fields:
        fields["expires_at"] = rules.expiry_for(member.programme, at)
    entry = LedgerEntry(
        programme_id=member.programme_id,
        member=member,
        kind=kind,
        points=points,
        occurred_at=at,
        external_ref=external_ref,
        **fields,
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
            Member.objects.filter(pk=member.pk).update(
                balance=F("balance") + points, updated_at=timezone.now()
            )
    except IntegrityError:
        # Another member's transaction took the reference meanwhile, or the balance check.
        if before := existing(member, external_ref):
            if _same(before, member, kind, points):
                return Posted(before, False)
            raise DuplicateReference(
                {"external_ref": [_("This reference was already used for another movement.")]}
            ) from None
        raise ValidationError({"points": [_("Not enough points.")]}) from None
    member.balance += points
    return Posted(entry, True)


def debit(member: Member, kind: str, points: int, **fields: Any) -> Posted:
    """Take `points` (> 0) off a locked member, refusing more than the balance."""
    if points <= 0:
        raise ValidationError({"points": [_("Enter a positive number of points.")]})
    ref = fields.get("external_ref", "")
    if ref and (before := existing(member, ref)) and _same(before, member, kind, -points):
        return Posted(before, False)
    if member.status != MemberStatus.ACTIVE and kind == EntryKind.REDEEM:
        raise ValidationError({"member": [_("This membership is not active.")]})
    if points > member.balance:
        raise ValidationError(
            {"points": [_("Not enough points: the balance is %(n)s.") % {"n": member.balance}]}
        )
    return post(member, kind, -points, **fields)


def balance(member: Member) -> int:
    """The balance as the ledger says it (the sum of every entry)."""
    return int(LedgerEntry.objects.filter(member=member).aggregate(s=Sum("points"))["s"] or 0)


def verify(members: Any = None) -> list[tuple[int, int, int]]:
    """Members whose cached balance differs from their ledger: (id, cached, ledger)."""
    qs = Member.objects.all() if members is None else members
    sums = dict(
        LedgerEntry.objects.filter(member__in=qs)
        .values("member_id")
        .annotate(s=Sum("points"))
        .values_list("member_id", "s")
    )
    return [
        (pk, cached, int(sums.get(pk) or 0))
        for pk, cached in qs.values_list("pk", "balance")
        if cached != int(sums.get(pk) or 0)
    ]
