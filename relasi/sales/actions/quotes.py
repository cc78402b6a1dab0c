"""Quote actions: create from a deal, edit lines, revise, discount approval, PDF e-mail."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import records
from relasi.core.choices import Visibility
from relasi.sales import approvals, pricing, quoting
from relasi.sales.choices import QuoteStatus
from relasi.sales.models import Deal, Product, Quote, QuoteLine
from relasi.sales.money import line_amounts

EDITABLE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.APPROVED)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def discount_limit(user: Any) -> Decimal:
    if getattr(user, "is_superuser", False):
        return Decimal(100)
    role = getattr(user, "role", None)
    return Decimal(role.max_discount_percent) if role is not None else Decimal(0)


def needs_approval(quote: Quote) -> bool:
    """A discount above the quote owner's role limit needs a manager's approval."""
    owner = quote.owner
    return (
        quote.max_discount_percent > discount_limit(owner)
        if owner
        else quote.max_discount_percent > 0
    )


def can_send(quote: Quote) -> bool:
    if quote.status in (QuoteStatus.SUPERSEDED, QuoteStatus.PENDING_APPROVAL, QuoteStatus.REJECTED):
        return False
    return not needs_approval(quote) or quote.approved_at is not None


def _lines(lines: list[dict[str, Any]], currency: str, price_list: Any) -> list[dict[str, Any]]:
    out = []
    for i, raw in enumerate(lines):
        product = raw.get("product")
        if product is not None and not isinstance(product, Product):
            found = Product.objects.filter(pk=product).first() if str(product).isdigit() else None
            if found is None:
                raise ValidationError({"lines": [_("Line %(n)d: no such product.") % {"n": i + 1}]})
            product = found
        qty = Decimal(str(raw.get("quantity") or 1))
        if qty <= 0:
            raise ValidationError({"lines": [_("Quantities must be positive.")]})
        price = raw.get("unit_price")
        if price in (None, ""):
            if product is None:
                raise ValidationError({"lines": [_("A line needs a product or a price.")]})
            price = pricing.price_for(product, price_list, quantity=qty)
        disc = Decimal(str(raw.get("discount_percent") or 0))
        if not 0 <= disc <= 100:
            raise ValidationError({"lines": [_("Discounts are between 0 and 100 %.")]})
        tax = raw.get("tax_rate")
        tax = (
            Decimal(str(tax))
            if tax not in (None, "")
            else (product.tax_rate if product else Decimal(11))
        )
        amounts = line_amounts(qty, Decimal(str(price)), disc, tax, currency)
        description = (raw.get("description") or (product.name if product else "")).strip()
        if not description:
            raise ValidationError({"lines": [_("Every line needs a description.")]})
        out.append(
            {
                "product": product,
                "description": description[:300],
                "quantity": qty,
                "unit": raw.get("unit") or (product.unit if product else ""),
                "unit_price": Decimal(str(price)),
                "discount_percent": disc,
                "tax_rate": tax,
                "line_subtotal": amounts["subtotal"],
                "line_discount": amounts["discount"],
                "line_tax": amounts["tax"],
                "line_total": amounts["total"],
                "order": i,
            }
        )
    return out


def _totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    zero = Decimal(0)
    return {
        "subtotal": sum((r["line_subtotal"] for r in rows), zero),
        "discount_total": sum((r["line_discount"] for r in rows), zero),
        "tax_total": sum((r["line_tax"] for r in rows), zero),
        "total": sum((r["line_total"] for r in rows), zero),
        "max_discount_percent": max((r["discount_percent"] for r in rows), default=zero),
    }


def _write_lines(quote: Quote, rows: list[dict[str, Any]]) -> None:
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create([QuoteLine(quote=quote, **r) for r in rows])


def lines_from_deal(deal: Deal) -> list[dict[str, Any]]:
    rows = [
        {
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
        }
        for line in deal.lines.select_related("product")
    ]
    if not rows and deal.value:
        rows = [
            {
                "description": deal.name,
                "quantity": Decimal(1),
                "unit_price": deal.value,
                "tax_rate": Decimal(11),
            }
        ]
    return rows


def create_quote(
    actor: Any, deal: Deal, data: dict[str, Any] | None = None, *, lines: list[dict] | None = None
) -> Quote:
    """A new quote (revision 1) for `deal`; lines default to the deal's product lines."""
    data = dict(data or {})
    today = timezone.localdate()
    currency = data.get("currency") or deal.currency
    price_list = data.get("price_list", deal.price_list)
    rows = _lines(lines if lines is not None else lines_from_deal(deal), currency, price_list)
    if not rows:
        raise ValidationError({"lines": [_("A quote needs at least one line.")]})
    with transaction.atomic():
        quote = records.create_record(
            actor,
            Quote,
            {
                "deal": deal,
                "customer": deal.customer or deal.organization,
                "number": quoting.next_number(today.year),
                "revision": 1,
                "title": data.get("title") or deal.name,
                "issue_date": data.get("issue_date") or today,
                "valid_until": data.get("valid_until") or quoting.default_validity(),
                "currency": currency,
                "price_list": price_list,
                "template": data.get("template") or quoting.default_template(),
                "notes": data.get("notes", ""),
                "terms": data.get("terms", ""),
                "owner": deal.owner or _user(actor),
                "team": deal.team,
                **_totals(rows),
            },
        )
        _write_lines(quote, rows)
    return quote


def update_quote(
    actor: Any,
    quote: Quote,
    data: dict[str, Any],
    *,
    lines: list[dict] | None = None,
    expected_version: int | None = None,
) -> Quote:
    if quote.status not in EDITABLE_STATUSES:
        raise ValidationError(_("A sent or superseded quote cannot be changed: make a revision."))
    allowed = {"title", "valid_until", "issue_date", "notes", "terms", "template", "currency"}
    data = {k: v for k, v in data.items() if k in allowed}
    with transaction.atomic():
        if lines is not None:
            rows = _lines(lines, data.get("currency", quote.currency), quote.price_list)
            if not rows:
                raise ValidationError({"lines": [_("A quote needs at least one line.")]})
            data.update(_totals(rows))
            # Changed lines need a fresh approval.
            data.update(status=QuoteStatus.DRAFT, approved_at=None, approved_by=None)
        updated = records.update_record(actor, quote, data, expected_version=expected_version)
        if lines is not None:
            _write_lines(updated, rows)
    return updated


def revise(
    actor: Any, quote: Quote, *, lines: list[dict] | None = None, data: dict | None = None
) -> Quote:
    """A new revision with the same number; the old one is kept, marked superseded."""
    if quote.status == QuoteStatus.SUPERSEDED:
        raise ValidationError(_("Revise the newest revision."))
    old_lines = [
        {
            "product": ln.product,
            "description": ln.description,
            "quantity": ln.quantity,
            "unit": ln.unit,
            "unit_price": ln.unit_price,
            "discount_percent": ln.discount_percent,
            "tax_rate": ln.tax_rate,
        }
        for ln in quote.lines.select_related("product")
    ]
    data = dict(data or {})
    rows = _lines(lines if lines is not None else old_lines, quote.currency, quote.price_list)
    with transaction.atomic():
        records.update_record(
            actor, quote, {"status": QuoteStatus.SUPERSEDED}, audit_message="superseded"
        )
        new = records.create_record(
            actor,
            Quote,
            {
                "deal": quote.deal,
                "customer": quote.customer,
                "number": quote.number,
                "revision": quote.revision + 1,
                "title": data.get("title", quote.title),
                "issue_date": timezone.localdate(),
                "valid_until": data.get("valid_until")
                or max(quote.valid_until, quoting.default_validity()),
                "currency": quote.currency,
                "price_list": quote.price_list,
                "template": quote.template,
                "notes": data.get("notes", quote.notes),
                "terms": data.get("terms", quote.terms),
                "owner": quote.owner,
                "team": quote.team,
                **_totals(rows),
            },
            audit_message=f"revision of {quote.number} rev. {quote.revision}",
        )
        _write_lines(new, rows)
    return new


def request_approval(actor: Any, quote: Quote) -> Quote:
    if not needs_approval(quote):
        raise ValidationError(
            _("This quote's discount is within the limit; no approval is needed.")
        )
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.REJECTED):
        raise ValidationError(_("Only a draft can be sent for approval."))
    with transaction.atomic():
        updated = records.update_record(
            actor,
            quote,
            {
                "status": QuoteStatus.PENDING_APPROVAL,
                "approval_requested_by": _user(actor),
                "approval_requested_at": timezone.now(),
                "decided_by": None,
                "decided_at": None,
                "approval_note": "",
            },
            audit_message="discount approval requested",
        )
        approvals.notify_requested(actor, updated)
    return updated


def can_approve(user: Any, quote: Quote) -> bool:
    """The owner's manager (anyone above them), or any user with sales change whose own
    discount limit covers the quote; never the person who asked."""
    if not user.has_module_perm("sales", "change"):
        return False
    if user.pk in (quote.owner_id, quote.approval_requested_by_id):
        return False
    above = quote.owner_id is not None and quote.owner_id in user.subordinate_ids()
    return (
        above
        or user.visibility == Visibility.ALL
        or discount_limit(user) >= quote.max_discount_percent
    )


def decide(actor: Any, quote: Quote, approve: bool, note: str = "") -> Quote:
    if quote.status != QuoteStatus.PENDING_APPROVAL:
        raise ValidationError(_("This quote is not awaiting approval."))
    if not can_approve(actor, quote):
        raise PermissionDenied
    now = timezone.now()
    data: dict[str, Any] = {
        "approval_note": note[:300],
        "decided_by": _user(actor),
        "decided_at": now,
    }
    if approve:
        data.update(status=QuoteStatus.APPROVED, approved_by=_user(actor), approved_at=now)
    else:
        data.update(status=QuoteStatus.REJECTED, approved_by=None, approved_at=None)
    with transaction.atomic():
        updated = records.update_record(
            actor,
            quote,
            data,
            audit_message="discount approved" if approve else "discount rejected",
        )
        approvals.notify_decided(actor, updated, approve)
    return updated


def send(actor: Any, quote: Quote, to: str, *, subject: str = "", message: str = "") -> Quote:
    """E-mail the quote as a PDF attachment and record it (audit + customer timeline)."""
    from django.core.validators import validate_email

    to = (to or "").strip()
    validate_email(to)
    if not can_send(quote):
        raise ValidationError(
            _("The discount on this quote needs a manager's approval before it can be sent.")
        )
    from relasi.privacy import gate

    decision = gate.may_contact(quote.customer, "email", "service", address=to)
    if not decision:
        raise ValidationError(
            _("This quote may not be e-mailed to %(to)s: %(reason)s")
            % {"to": to, "reason": decision.message}
        )
    pdf = quoting.render_pdf(quote)
    subject = subject or _("Quotation %(number)s") % {"number": quote}
    body = message or _(
        "Dear customer,\n\nPlease find our quotation %(number)s attached.\n\nKind regards,\n%(who)s"
    ) % {
        "number": quote,
        "who": str(quote.owner or actor),
    }
    email = EmailMessage(
        subject, body, to=[to], reply_to=[actor.email] if getattr(actor, "email", "") else None
    )
    email.attach(quoting.filename(quote), pdf, "application/pdf")
    updated = records.update_record(
        actor,
        quote,
        {"status": QuoteStatus.SENT, "sent_at": timezone.now(), "sent_to": to},
        audit_message=f"sent to {to}",
    )
    email.send()
    gate.record_sent(quote.customer, "email", "service")
    return updated


def mark(actor: Any, quote: Quote, status: str) -> Quote:
    if status not in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        raise ValidationError(_("Unknown status."))
    if quote.status != QuoteStatus.SENT:
        raise ValidationError(_("Only a sent quote can be accepted or declined."))
    return records.update_record(actor, quote, {"status": status})
