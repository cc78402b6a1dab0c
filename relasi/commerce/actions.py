"""Every write to orders: idempotent ingestion (API, importer, demo), payments, returns,
deletes. Each change bumps the order's `updated_at` (the mart's watermark column) and each
delete leaves a `DeletedOrder` tombstone."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.commerce.choices import OrderStatus, PaymentMethod, ReturnReason, SalesChannel
from relasi.commerce.models import DeletedOrder, Order, OrderLine, Payment, Return, Store
from relasi.commerce.signals import changed
from relasi.core import audit, events, records
from relasi.core.access import visible_to
from relasi.core.choices import AuditAction
from relasi.core.numbers import limit_of

CENT = Decimal("0.01")
MAX_LINES = 500
MONEY_LIMIT = limit_of(Order, "total")  # every money column of commerce has the same shape
QUANTITY_LIMIT = limit_of(OrderLine, "quantity")


def local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def money(value: Any) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("%(value)s is not an amount.") % {"value": value}) from exc
    if not MONEY_LIMIT.fits(number):
        raise ValidationError(MONEY_LIMIT.message())
    return number


class Resolver:
    """Looks up stores, products, customers and owners for a batch, caching each lookup."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._stores: dict[str, Store | None] = {}
        self._products: dict[str, Any] = {}

    def store(self, code: str | None, store_id: int | None) -> Store | None:
        key = f"id:{store_id}" if store_id else f"code:{(code or '').strip().lower()}"
        if key not in self._stores:
            qs = Store.objects.all()
            if store_id:
                self._stores[key] = qs.filter(pk=store_id).first()
            elif code:
                self._stores[key] = qs.filter(code__iexact=code.strip()).first()
            else:
                self._stores[key] = None
        return self._stores[key]

    def product(self, sku: str | None, product_id: int | None) -> Any:
        from relasi.sales.models import Product

        key = f"id:{product_id}" if product_id else f"sku:{(sku or '').strip().lower()}"
        if key not in self._products:
            found = None
            if product_id:
                found = Product.objects.filter(pk=product_id).first()
            elif sku:
                found = (
                    Product.objects.filter(sku__iexact=sku.strip()).first()
                    or Product.objects.filter(barcode=sku.strip()).first()
                )
            self._products[key] = found
        return self._products[key]

    def customer(self, data: dict[str, Any]) -> Any:
        from relasi.customers.models import Customer, EmailAddress, PhoneNumber

        # actor None = the system itself (demo seeding, internal jobs): everything is visible.
        visible: Any = Customer.objects.all()
        if self.actor is not None:
            visible = visible_to(self.actor, visible)
        if data.get("customer_id"):
            return visible.filter(pk=data["customer_id"]).first() or False
        if email := (data.get("customer_email") or "").strip().lower():
            pk = EmailAddress.objects.filter(email=email).values_list("customer_id", flat=True)
            return visible.filter(pk__in=pk[:1]).first() or False
        if phone := (data.get("customer_phone") or "").strip():
            from relasi.integrations import normalise

            try:
                number = normalise.phone(phone)
            except Exception:
                return False
            by_phone = PhoneNumber.objects.filter(number=number).values_list(
                "customer_id", flat=True
            )
            return visible.filter(pk__in=by_phone[:1]).first() or False
        return None

    def owner(self, data: dict[str, Any], customer: Any) -> Any:
        from relasi.accounts.models import User

        if data.get("owner_id"):
            return User.objects.filter(pk=data["owner_id"], is_active=True).first() or False
        if name := (data.get("owner") or "").strip():
            return (
                User.objects.filter(username__iexact=name, is_active=True).first()
                or User.objects.filter(email__iexact=name, is_active=True).first()
                or False
            )
        if customer is not None and customer.owner_id:
            return customer.owner
        return None


def _clean(data: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    """Validate one order payload; returns the fields and the lines to write."""
    errors: dict[str, list[str]] = {}

    def err(key: str, msg: str) -> None:
        errors.setdefault(key, []).append(msg)

    source = (data.get("source") or "api").strip()[:40]
    external_id = (data.get("external_id") or "").strip()[:100]
    channel = data.get("channel") or SalesChannel.STORE
    if channel not in SalesChannel.values:
        err("channel", _("Unknown channel %(value)s.") % {"value": channel})
    status = data.get("status") or OrderStatus.COMPLETED
    if status not in OrderStatus.values:
        err("status", _("Unknown status %(value)s.") % {"value": status})
    store = resolver.store(data.get("store"), data.get("store_id"))
    if (data.get("store") or data.get("store_id")) and store is None:
        err(
            "store",
            _("Unknown store %(value)s.") % {"value": data.get("store") or data.get("store_id")},
        )
    if store is not None and not data.get("channel"):
        channel = store.channel
    customer = resolver.customer(data)
    if customer is False:
        err("customer", _("No such customer (or not visible to you)."))
        customer = None
    owner = resolver.owner(data, customer)
    if owner is False:
        err("owner", _("No such active user."))
        owner = None
    at = data.get("ordered_at") or timezone.now()
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(12, 0))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    raw_lines = data.get("lines") or []
    if not raw_lines:
        err("lines", _("An order needs at least one line."))
    if len(raw_lines) > MAX_LINES:
        err("lines", _("At most %(n)s lines per order.") % {"n": MAX_LINES})
    lines: list[dict[str, Any]] = []
    for i, line in enumerate(raw_lines[:MAX_LINES], start=1):
        product = resolver.product(line.get("sku"), line.get("product_id"))
        if product is None and (line.get("sku") or line.get("product_id")):
            err(
                f"lines.{i}",
                _("Unknown product %(value)s.")
                % {"value": line.get("sku") or line.get("product_id")},
            )
            continue
        if product is None and not line.get("description"):
            err(f"lines.{i}", _("A line needs a product (SKU) or a description."))
            continue
        try:
            qty = Decimal(str(line.get("quantity", 1))).quantize(Decimal("0.001"))
            price = (
                money(line["unit_price"])
                if line.get("unit_price") is not None
                else product.unit_price
            )
            discount = money(line.get("discount") or 0)
            cost = money(line["unit_cost"]) if line.get("unit_cost") is not None else None
        except (InvalidOperation, ValidationError, KeyError, AttributeError, ValueError):
            err(f"lines.{i}", _("Quantity and amounts must be numbers."))
            continue
        if qty <= 0 or price < 0 or discount < 0:
            err(f"lines.{i}", _("Quantity must be positive and amounts not negative."))
            continue
        total = (qty * price - discount).quantize(CENT, rounding=ROUND_HALF_UP)
        if not QUANTITY_LIMIT.fits(qty):
            err(f"lines.{i}", QUANTITY_LIMIT.message(_("The quantity")))
            continue
        if not MONEY_LIMIT.fits(qty * price) or (
            cost is not None and not MONEY_LIMIT.fits(qty * cost)
        ):
            err(f"lines.{i}", MONEY_LIMIT.message(_("The line total")))
            continue
        lines.append(
            {
                "line_no": i,
                "product": product,
                "sku": product.sku if product else (line.get("sku") or "")[:64],
                "description": (line.get("description") or (product.name if product else ""))[:200],
                "quantity": qty,
                "unit_price": price,
                "discount": discount,
                "unit_cost": cost,
                "line_total": total,
            }
        )
    subtotal = sum((ln["quantity"] * ln["unit_price"] for ln in lines), Decimal(0))
    costs = [ln["unit_cost"] * ln["quantity"] for ln in lines if ln["unit_cost"] is not None]
    if not MONEY_LIMIT.fits(subtotal) or not MONEY_LIMIT.fits(sum(costs, Decimal(0))):
        err("lines", MONEY_LIMIT.message(_("The order total")))
    payments = data.get("payments") or []
    try:
        paid = sum((money(p.get("amount", 0)) for p in payments), Decimal(0))
    except ValidationError as exc:
        err("payments", exc.messages[0])
    else:
        if not MONEY_LIMIT.fits(paid):
            err("payments", MONEY_LIMIT.message(_("The sum of the payments")))
    if errors:
        raise ValidationError(errors)
    fields = {
        "source": source,
        "external_id": external_id,
        "number": (data.get("number") or external_id)[:100],
        "customer": customer,
        "channel": channel,
        "store": store,
        "ordered_at": at,
        "order_date": local_date(at),
        "status": status,
        "currency": (data.get("currency") or "IDR").upper()[:3],
        "subtotal": subtotal.quantize(CENT),
        "discount_total": sum((ln["discount"] for ln in lines), Decimal(0)),
        "total": sum((ln["line_total"] for ln in lines), Decimal(0)),
        "cost_total": sum(costs, Decimal(0)).quantize(CENT) if len(costs) == len(lines) else None,
        "note": (data.get("note") or "")[:2000],
        "owner": owner,
        "team_id": getattr(owner, "team_id", None),
    }
    return {"fields": fields, "lines": lines, "payments": data.get("payments") or []}


def _signature(order: Order) -> tuple:
    lines = tuple(
        (ln.sku, ln.description, ln.quantity, ln.unit_price, ln.discount, ln.unit_cost)
        for ln in order.lines.order_by("line_no", "id")
    )
    return (
        order.customer_id,
        order.channel,
        order.store_id,
        order.ordered_at,
        order.status,
        order.total,
        order.owner_id,
        order.note,
        lines,
    )


def _write_lines(order: Order, lines: list[dict[str, Any]]) -> None:
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                line_no=ln["line_no"],
                product=ln["product"],
                sku=ln["sku"],
                description=ln["description"],
                quantity=ln["quantity"],
                unit_price=ln["unit_price"],
                discount=ln["discount"],
                unit_cost=ln["unit_cost"],
                line_total=ln["line_total"],
            )
            for ln in lines
        ]
    )


def _write_payments(order: Order, payments: list[dict[str, Any]]) -> None:
    rows = []
    for p in payments:
        method = p.get("method") or PaymentMethod.CASH
        if method not in PaymentMethod.values:
            raise ValidationError(
                {"payments": [_("Unknown payment method %(value)s.") % {"value": method}]}
            )
        rows.append(
            Payment(
                order=order,
                method=method,
                amount=money(p.get("amount", 0)),
                paid_at=p.get("paid_at") or order.ordered_at,
                reference=(p.get("reference") or "")[:100],
            )
        )
    if rows:
        Payment.objects.bulk_create(rows)
    order.paid_total = sum((r.amount for r in rows), Decimal(0))


def ingest_order(
    actor: Any, data: dict[str, Any], resolver: Resolver | None = None
) -> tuple[Order, str]:
    """Create or update one order by (source, external_id). Returns (order, outcome) with
    outcome "created", "updated" or "unchanged". Raises ValidationError for bad input."""
    resolver = resolver or Resolver(actor)
    clean = _clean(data, resolver)
    fields = clean["fields"]
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = None
                if fields["external_id"]:
                    existing = (
                        Order.objects.select_for_update()
                        .filter(source=fields["source"], external_id=fields["external_id"])
                        .first()
                    )
                if existing is None:
                    order = Order(**fields)
                    order.save()
                    _write_lines(order, clean["lines"])
                    if clean["payments"]:
                        _write_payments(order, clean["payments"])
                        order.save(update_fields=["paid_total"])
                    audit.record(actor, AuditAction.CREATE, order, message="order ingested")
                    changed(actor, order, "created")
                    events.emit("order.posted", order)
                    return order, "created"
                if not data.get("ordered_at"):  # a re-send without a time keeps the first one
                    fields["ordered_at"], fields["order_date"] = (
                        existing.ordered_at,
                        existing.order_date,
                    )
                order, outcome = _update_existing(actor, existing, clean)
                if outcome == "updated":
                    changed(actor, order, "updated")
                return order, outcome
        except IntegrityError:
            if attempt:  # the same order was created concurrently and we still failed
                raise
    raise RuntimeError("unreachable")  # pragma: no cover


def _update_existing(actor: Any, order: Order, clean: dict[str, Any]) -> tuple[Order, str]:
    before = _signature(order)
    fields = clean["fields"]
    for key, value in fields.items():
        setattr(order, key, value)
    probe = Order(**{**fields, "pk": order.pk})
    new_sig = (
        probe.customer_id,
        probe.channel,
        probe.store_id,
        probe.ordered_at,
        probe.status,
        probe.total,
        probe.owner_id,
        probe.note,
        tuple(
            (
                ln["sku"],
                ln["description"],
                ln["quantity"],
                ln["unit_price"],
                ln["discount"],
                ln["unit_cost"],
            )
            for ln in clean["lines"]
        ),
    )
    if new_sig == before and not clean["payments"]:
        return order, "unchanged"
    order.lines.all().delete()
    _write_lines(order, clean["lines"])
    if clean["payments"]:
        order.payments.all().delete()
        _write_payments(order, clean["payments"])
    order.version += 1
    order.updated_at = timezone.now()
    order.save()
    audit.record(actor, AuditAction.UPDATE, order, message="order re-sent: replaced")
    return order, "updated"


def ingest_batch(actor: Any, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ingest many orders; each in its own savepoint, so one bad order never stops the rest."""
    resolver = Resolver(actor)
    results: list[dict[str, Any]] = []
    for index, data in enumerate(orders):
        try:
            order, outcome = ingest_order(actor, data, resolver)
        except ValidationError as exc:
            details = exc.message_dict if hasattr(exc, "error_dict") else {"order": exc.messages}
            results.append(
                {
                    "index": index,
                    "external_id": data.get("external_id") or "",
                    "status": "error",
                    "id": None,
                    "errors": details,
                }
            )
            continue
        results.append(
            {
                "index": index,
                "external_id": order.external_id,
                "status": outcome,
                "id": order.pk,
                "errors": None,
            }
        )
    if any(r["status"] in ("created", "updated") for r in results):
        from relasi.analytics import mart

        mart.request_refresh("api")  # debounced: one refresh for a stream of batches
    return results


def touch(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now())


def set_status(actor: Any, order: Order, status: str, expected_version: int | None = None) -> Order:
    if status not in OrderStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    with transaction.atomic():
        order = records.update_record(
            actor, order, {"status": status}, expected_version=expected_version
        )
        changed(actor, order, "status")
    return order


def add_payment(
    actor: Any,
    order: Order,
    method: str,
    amount: Any,
    paid_at: dt.datetime | None = None,
    reference: str = "",
) -> Payment:
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Unknown payment method.")]})
    try:
        value = money(amount)
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from exc
    if value <= 0:
        raise ValidationError({"amount": [_("The amount must be positive.")]})
    with transaction.atomic():
        Order.objects.select_for_update().filter(pk=order.pk).first()  # serialise the sum
        before = order.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        MONEY_LIMIT.check(before + value, "amount", _("The order's paid total"))
        payment = Payment.objects.create(
            order=order,
            method=method,
            amount=value,
            paid_at=paid_at or timezone.now(),
            reference=reference[:100],
        )
        paid = order.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        Order.objects.filter(pk=order.pk).update(paid_total=paid, updated_at=timezone.now())
        audit.record(actor, AuditAction.UPDATE, order, message=f"payment {method} {value}")
        changed(actor, order, "payment")
    return payment


def add_return(
    actor: Any,
    order: Order,
    reason: str,
    lines: list[tuple[int, Any]],
    note: str = "",
    returned_at: dt.datetime | None = None,
) -> Return:
    """Record goods coming back: (order line id, quantity) pairs; the refund is the lines'
    share of their line totals."""
    from relasi.commerce.models import ReturnLine

    if reason not in ReturnReason.values:
        raise ValidationError({"reason": [_("Unknown reason.")]})
    by_id = {ln.pk: ln for ln in order.lines.all()}
    rows: list[tuple[OrderLine, Decimal, Decimal]] = []
    for line_id, qty in lines:
        line = by_id.get(int(line_id))
        q = Decimal(str(qty))
        if line is None or q <= 0 or q > line.quantity:
            raise ValidationError(
                {"lines": [_("Choose lines of this order and quantities up to what was bought.")]}
            )
        rows.append((line, q, (line.line_total * q / line.quantity).quantize(CENT)))
    if not rows:
        raise ValidationError({"lines": [_("Choose at least one line.")]})
    with transaction.atomic():
        ret = Return.objects.create(
            order=order,
            reason=reason,
            note=note[:300],
            amount=sum((r[2] for r in rows), Decimal(0)),
            returned_at=returned_at or timezone.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        ReturnLine.objects.bulk_create(
            [ReturnLine(ret=ret, order_line=ln, quantity=q, amount=a) for ln, q, a in rows]
        )
        returned = order.returns.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        Order.objects.filter(pk=order.pk).update(returned_total=returned, updated_at=timezone.now())
        audit.record(actor, AuditAction.UPDATE, order, message=f"return {ret.amount}")
        changed(actor, order, "return")
    return ret


def delete_order(actor: Any, order: Order) -> None:
    with transaction.atomic():
        changed(actor, order, "deleted")
        DeletedOrder.objects.create(order_id=order.pk)
        records.delete_record(actor, order)


def delete_orders(actor: Any, ids: list[int]) -> int:
    n = 0
    for order in Order.objects.filter(pk__in=ids):
        delete_order(actor, order)
        n += 1
    return n
