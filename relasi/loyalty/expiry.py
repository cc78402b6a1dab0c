"""Points expiry, first in first out.

Debits (redemptions, expiries, reversals, transfers out, negative adjustments) spend the oldest
credits first. So at time T the points still unspent among the credits that expire by T are
max(0, C(T) − D), C(T) being those credits' sum and D every debit so far — that is what
expires. Running it twice posts nothing the second time (D then includes the expiry), and each
run's entry carries a reference per member and day besides.

The worker sweep (relasi/core/recovery.py) calls `sweep()` every few seconds; it does the work
once a day per programme (`Programme.expiry_checked_on`); `manage.py loyalty_expire` runs it
from cron."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.loyalty import ledger
from relasi.loyalty.choices import EntryKind, ExpiryMode
from relasi.loyalty.models import LedgerEntry, Programme


def due(programme: Programme, at: dt.datetime) -> dict[int, int]:
    """member id → points that expire at `at`."""
    rows = (
        LedgerEntry.objects.filter(programme=programme)
        .values("member_id")
        .annotate(
            credits=Sum(
                Case(
                    When(Q(points__gt=0, expires_at__lte=at), then="points"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
            debits=Sum(
                Case(When(points__lt=0, then="points"), default=0, output_field=IntegerField())
            ),
        )
        .filter(credits__gt=0)
    )
    out = {}
    for r in rows:
        left = int(r["credits"]) + int(r["debits"] or 0)
        if left > 0:
            out[r["member_id"]] = left
    return out


def expire(programme: Programme, at: dt.datetime | None = None) -> int:
    """Post the expiries due at `at` (now); returns the points expired."""
    at = at or timezone.now()
    if programme.expiry_mode == ExpiryMode.NEVER:
        return 0
    total = 0
    day = timezone.localtime(at).date().isoformat()
    for member_id in due(programme, at):
        with transaction.atomic():
            member = ledger.lock(member_id)
            points = due_for_member(member_id, at)
            points = min(points, member.balance)
            if points <= 0:
                continue
            ledger.post(
                member,
                EntryKind.EXPIRE,
                -points,
                occurred_at=at,
                reason=_("Points expired"),
                external_ref=f"expire:{member_id}:{day}",
            )
            total += points
    return total


def due_for_member(member_id: int, at: dt.datetime) -> int:
    qs = LedgerEntry.objects.filter(member_id=member_id)
    credits = qs.filter(points__gt=0, expires_at__lte=at).aggregate(s=Sum("points"))["s"] or 0
    debits = qs.filter(points__lt=0).aggregate(s=Sum("points"))["s"] or 0
    return max(0, int(credits) + int(debits))


def run_due(at: dt.datetime | None = None) -> dict[str, int]:
    """Expire every active programme not yet run today (safe from many workers at once: the
    programme row is claimed with a conditional update)."""
    at = at or timezone.now()
    today = timezone.localtime(at).date()
    programmes = 0
    points = 0
    for programme in Programme.objects.filter(active=True).exclude(expiry_checked_on=today):
        claimed = (
            Programme.objects.filter(pk=programme.pk)
            .filter(Q(expiry_checked_on__isnull=True) | Q(expiry_checked_on__lt=today))
            .update(expiry_checked_on=today)
        )
        if claimed:
            programmes += 1
            points += expire(programme, at)
    return {"loyalty_programmes_expired": programmes, "loyalty_points_expired": points}


def sweep(cutoff: Any) -> dict[str, int]:
    return run_due()


def schedule(
    programme: Programme, months: int = 13, at: dt.datetime | None = None, members: Any = None
) -> list[tuple[dt.date, int]]:
    """Points that will expire in each of the next `months` months if nobody spends them:
    [(first day of month, points)]."""
    at = at or timezone.now()
    local = timezone.localtime(at)
    bounds = []
    y, m = local.year, local.month
    for _i in range(months):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        bounds.append(timezone.make_aware(dt.datetime(y, m, 1)))
    entries = LedgerEntry.objects.filter(programme=programme)
    if members is not None:
        entries = entries.filter(member__in=members)
    debits = dict(
        entries.filter(points__lt=0)
        .values("member_id")
        .annotate(s=Sum("points"))
        .values_list("member_id", "s")
    )
    credits: dict[int, list[tuple[dt.datetime, int]]] = {}
    rows = (
        entries.filter(points__gt=0, expires_at__lt=bounds[-1])
        .order_by()
        .values_list("member_id", "expires_at", "points")
    )
    for member_id, exp, pts in rows.iterator(chunk_size=5000):
        if exp is None:
            continue
        credits.setdefault(member_id, []).append((exp, pts))
    out = [0] * months
    for member_id, lots in credits.items():
        spent = -int(debits.get(member_id) or 0)
        gone_before = 0  # cumulative expiring up to the previous bound
        for i, bound in enumerate(bounds):
            c = sum(p for e, p in lots if e < bound)
            cumulative = max(0, c - spent)
            out[i] += cumulative - gone_before
            gone_before = cumulative
    starts = [timezone.localtime(b).date().replace(day=1) for b in bounds]
    prev = [local.date().replace(day=1), *starts[:-1]]
    return list(zip(prev, out, strict=True))
