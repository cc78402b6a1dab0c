"""Quote discount approvals in the approvals inbox, and who hears about them.

On a request the nearest manager above the quote's owner who may decide is told (bell and
e-mail); when nobody in the owner's line may, everyone who may decide is. On a decision the
requester (and the owner, when someone else asked) is told the result and the note. Every
message is written in its recipient's language."""

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relasi.accounts.models import User
from relasi.core import approvals
from relasi.core.access import can_see, visible_to
from relasi.core.choices import Visibility
from relasi.core.formatting import money, number
from relasi.sales.choices import QuoteStatus
from relasi.sales.models import Quote

KIND = gettext_lazy("Quote discount")


def approvers(quote: Quote) -> list[Any]:
    """Who is asked to decide on `quote`'s discount."""
    from relasi.sales.actions.quotes import can_approve, discount_limit

    owner = quote.owner
    seen: set[int] = set()
    boss = owner.manager if owner is not None else None
    while boss is not None and boss.pk not in seen:
        seen.add(boss.pk)
        if boss.is_active and can_approve(boss, quote):
            return [boss]
        boss = boss.manager
    # Nobody in the owner's line may decide: everyone who may, and can see the quote.
    candidates = User.objects.filter(is_active=True).select_related("role")
    return [
        u
        for u in candidates
        if u.pk not in (quote.owner_id, quote.approval_requested_by_id)
        and u.has_module_perm("sales", "change")
        and (
            u.visibility == Visibility.ALL
            or (discount_limit(u) >= quote.max_discount_percent and can_see(u, quote))
        )
    ]


def _percent(value: Decimal) -> str:
    """25 % rather than 25.00 %; 12.5 % stays 12.50 %."""
    return number(value, 0 if value == value.to_integral_value() else 2)


def _facts(quote: Quote) -> dict[str, Any]:
    return {
        "quote": str(quote),
        "customer": str(quote.customer or ""),
        "discount": _percent(quote.max_discount_percent),
        "total": money(quote.total, quote.currency),
        "owner": str(quote.owner or ""),
    }


def notify_requested(actor: Any, quote: Quote) -> None:
    from relasi.activities.actions import notify_user

    url = quote.get_absolute_url()
    for user in approvers(quote):

        def compose(user: Any = user) -> tuple[str, str]:
            facts = {**_facts(quote), "who": str(actor)}
            text = _("%(who)s asks you to approve a %(discount)s %% discount on quote %(quote)s")
            body = render_to_string("sales/email/approval_requested.txt", {**facts, "user": user})
            return text % facts, body

        notify_user(user, "approval.requested", url, compose)


def notify_decided(actor: Any, quote: Quote, approved: bool) -> None:
    from relasi.activities.actions import notify_user

    url = quote.get_absolute_url()
    told = {getattr(actor, "pk", None)}
    for user in (quote.approval_requested_by, quote.owner):
        if user is None or user.pk in told:
            continue
        told.add(user.pk)

        def compose(user: Any = user) -> tuple[str, str]:
            facts = {**_facts(quote), "who": str(actor), "note": quote.approval_note}
            text = (
                _("%(who)s approved the %(discount)s %% discount on quote %(quote)s")
                if approved
                else _("%(who)s rejected the %(discount)s %% discount on quote %(quote)s")
            )
            body = render_to_string(
                "sales/email/approval_decided.txt", {**facts, "user": user, "approved": approved}
            )
            return text % facts, body

        notify_user(user, "approval.decided", url, compose)


# --- the inbox provider --------------------------------------------------------------------------


def _state(quote: Quote) -> tuple[str, Any]:
    """(pending / approved / rejected / other, label) of the approval, whatever the quote
    went through since (an approved quote may have been sent, accepted or revised)."""
    if quote.status == QuoteStatus.PENDING_APPROVAL:
        return "pending", quote.get_status_display()
    if quote.status == QuoteStatus.REJECTED:
        return "rejected", _("Rejected")
    if quote.approved_at is not None:
        return "approved", _("Approved")
    return "other", quote.get_status_display()


def _item(quote: Quote) -> approvals.ApprovalItem:
    status, label = _state(quote)
    facts = _facts(quote)
    return approvals.ApprovalItem(
        kind=KIND,
        title=" · ".join(p for p in (facts["quote"], facts["customer"]) if p),
        url=quote.get_absolute_url(),
        summary=_("%(discount)s %% discount, %(total)s, owner %(owner)s") % facts,
        status=status,
        status_label=label,
        requested_by=quote.approval_requested_by,
        requested_at=quote.approval_requested_at,
        decided_by=quote.decided_by,
        decided_at=quote.decided_at,
        note=quote.approval_note,
    )


def _quotes(user: Any) -> Any:
    return visible_to(user, Quote.objects.all()).select_related(
        "owner", "customer", "approval_requested_by", "decided_by"
    )


class QuoteApprovals:
    """Quote discount approvals for the inbox (a fixed number of queries per call)."""

    def _pending_quotes(self, user: Any) -> list[Quote]:
        from relasi.sales.actions.quotes import can_approve

        if not user.has_module_perm("sales", "change"):
            return []
        rows = _quotes(user).filter(status=QuoteStatus.PENDING_APPROVAL)
        return [q for q in rows.order_by("-approval_requested_at") if can_approve(user, q)]

    def pending(self, user: Any, limit: int) -> list[approvals.ApprovalItem]:
        return [_item(q) for q in self._pending_quotes(user)[:limit]]

    def pending_count(self, user: Any) -> int:
        return len(self._pending_quotes(user))

    def requested(self, user: Any, limit: int) -> list[approvals.ApprovalItem]:
        rows = _quotes(user).filter(approval_requested_by=user).order_by("-approval_requested_at")
        return [_item(q) for q in rows[:limit]]

    def decided(self, user: Any, limit: int) -> list[approvals.ApprovalItem]:
        rows = (
            _quotes(user)
            .filter(decided_at__isnull=False)
            .filter(Q(decided_by=user) | Q(approval_requested_by=user) | Q(owner=user))
            .order_by("-decided_at")
        )
        return [_item(q) for q in rows[:limit]]


approvals.register(QuoteApprovals())
