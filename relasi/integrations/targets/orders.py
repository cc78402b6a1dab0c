"""Import target for orders from point-of-sale, e-commerce or ERP exports: one row per order
line; rows sharing an invoice number ("No. Faktur") form one order.

Idempotent: orders are keyed by (source, external id). The first time an import meets an
invoice it replaces that order's lines; later rows of the same invoice in the same import
(even in a later chunk, or after a resume) are appended. Re-importing the same file therefore
gives the same orders, never duplicates. Lines are written with `relasi.integrations.bulk`
(executemany / COPY), never an ORM object per row."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.core.numbers import SAFE_DIGITS, Limit
from relasi.integrations import bulk
from relasi.integrations import normalise as norm
from relasi.integrations.choices import RecordAction
from relasi.integrations.models import ImportedRecord
from relasi.integrations.targets import ChunkResult, ImportTarget, TargetField, register

F = TargetField
FIELDS = [
    F(
        "external_id",
        gl("Invoice / order number"),
        (
            "no faktur",
            "nomor faktur",
            "faktur",
            "no invoice",
            "invoice",
            "invoice no",
            "invoice number",
            "no nota",
            "nota",
            "order id",
            "order number",
            "no order",
            "nomor pesanan",
            "no pesanan",
            "receipt",
            "no struk",
            "struk",
            "transaction id",
            "id transaksi",
            "no transaksi",
        ),
        required=True,
    ),
    F(
        "ordered_at",
        gl("Date"),
        (
            "tanggal",
            "tgl",
            "tanggal transaksi",
            "tgl transaksi",
            "date",
            "order date",
            "tanggal faktur",
            "waktu",
            "datetime",
            "tanggal order",
        ),
    ),
    F(
        "store",
        gl("Store code"),
        ("toko", "kode toko", "store", "outlet", "cabang", "branch", "store code", "gerai"),
    ),
    F("channel", gl("Channel"), ("channel", "kanal", "saluran", "saluran penjualan")),
    F(
        "customer_email",
        gl("Customer e-mail"),
        ("email", "e-mail", "email pelanggan", "surel", "customer email"),
    ),
    F(
        "customer_phone",
        gl("Customer phone"),
        (
            "no hp",
            "hp",
            "telepon",
            "phone",
            "whatsapp",
            "no telp",
            "customer phone",
            "hp pelanggan",
        ),
    ),
    F("customer_id", gl("Customer ID (Relasi)"), ("id pelanggan", "customer id")),
    F(
        "sku",
        gl("Product code (SKU / barcode)"),
        (
            "kode barang",
            "kode produk",
            "sku",
            "product code",
            "item code",
            "barcode",
            "plu",
            "kode item",
        ),
        required=True,
    ),
    F(
        "description",
        gl("Product name"),
        (
            "nama barang",
            "nama produk",
            "product",
            "product name",
            "item",
            "deskripsi",
            "description",
            "nama item",
        ),
    ),
    F(
        "quantity",
        gl("Quantity"),
        ("qty", "jumlah", "kuantitas", "quantity", "jml", "pcs", "banyak"),
    ),
    F(
        "unit_price",
        gl("Unit price"),
        ("harga", "harga satuan", "price", "unit price", "harga jual"),
    ),
    F(
        "discount",
        gl("Discount (amount)"),
        ("diskon", "potongan", "discount", "disc", "potongan harga"),
    ),
    F(
        "unit_cost",
        gl("Unit cost"),
        ("hpp", "harga pokok", "cost", "unit cost", "modal", "harga beli"),
    ),
    F(
        "payment_method",
        gl("Payment method"),
        (
            "pembayaran",
            "metode bayar",
            "metode pembayaran",
            "cara bayar",
            "payment",
            "payment method",
            "bayar",
        ),
    ),
    F("status", gl("Status"), ("status", "status order")),
    F(
        "owner",
        gl("Sales rep (username or e-mail)"),
        ("sales", "salesman", "sales rep", "owner", "pic", "marketing"),
    ),
    F("source", gl("Source system"), ("sumber", "source", "sistem", "source system")),
]
_PAYMENTS = {
    "tunai": "cash",
    "cash": "cash",
    "transfer": "transfer",
    "tf": "transfer",
    "bank": "transfer",
    "qris": "qris",
    "qr": "qris",
    "kartu": "card",
    "card": "card",
    "debit": "card",
    "kredit": "card",
    "credit card": "card",
    "ovo": "ewallet",
    "gopay": "ewallet",
    "dana": "ewallet",
    "shopeepay": "ewallet",
    "e-wallet": "ewallet",
    "ewallet": "ewallet",
    "linkaja": "ewallet",
    "tempo": "credit",
    "credit": "credit",
    "piutang": "credit",
}
_STATUS = {
    "selesai": "completed",
    "lunas": "paid",
    "batal": "cancelled",
    "pending": "pending",
    "menunggu": "pending",
    "completed": "completed",
    "paid": "paid",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}
_TIME = re.compile(r"[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*$")
CENT = Decimal("0.01")
# commerce.OrderLine's columns (money 18,2 and quantity 12,3), capped like every API input;
# integrations sits below commerce, so the shapes are restated rather than imported.
MONEY_LIMIT = Limit(SAFE_DIGITS, 2)
QUANTITY_LIMIT = Limit(12, 3)


def amount(raw: str) -> Decimal:
    """'15.000' and '15.000,50' (Indonesian), '15,000.50' and '15000' all parse."""
    text = raw.strip().replace("Rp", "").replace("IDR", "").replace(" ", "")
    if not text:
        return Decimal(0)
    if "," in text and "." in text:
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    elif "," in text:
        head, _sep, tail = text.rpartition(",")
        text = head.replace(",", "") + ("." + tail if len(tail) != 3 else tail)
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.rpartition(".")[2]) == 3):
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise norm.CellError(_("%(value)s is not a number.") % {"value": raw[:30]}) from exc
    if not number.is_finite():
        raise norm.CellError(_("%(value)s is not a number.") % {"value": raw[:30]})
    return number


def moment(raw: str) -> dt.datetime:
    text = raw.strip()
    hh = mm = ss = 0
    if m := _TIME.search(text):
        hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        text = text[: m.start()]
    day = norm.date(text)
    if day is None:
        raise norm.CellError(_("The date is missing."))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh % 24, mm % 60, ss % 60)))


@dataclass
class Ctx:
    job: Any
    dry_run: bool
    stores: dict[str, Any]
    products: dict[str, tuple[int, str, str]]
    owners: dict[str, tuple[int, int | None]]
    emails: dict[str, int]
    phones: dict[str, int]
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    ct_id: int = 0
    now: dt.datetime = field(default_factory=timezone.now)


@register
class OrdersTarget(ImportTarget):
    key = "orders"
    label = gl("Orders (POS / e-commerce / ERP export)")
    module = "commerce"

    @property
    def model(self) -> Any:  # type: ignore[override]
        from relasi.commerce.models import Order

        return Order

    def base_fields(self) -> list[TargetField]:
        return FIELDS

    def fields(self) -> list[TargetField]:
        return list(FIELDS)

    def begin(self, job: Any, *, dry_run: bool) -> Ctx:
        from relasi.accounts.models import User
        from relasi.commerce.models import Order, Store
        from relasi.customers.models import EmailAddress, PhoneNumber
        from relasi.sales.models import Product

        stores = {
            code.lower(): (pk, channel, team)
            for pk, code, channel, team in Store.objects.values_list(
                "pk", "code", "channel", "team_id"
            )
        }
        products: dict[str, tuple[int, str, str]] = {}
        for pk, sku, barcode, name in Product.objects.values_list("pk", "sku", "barcode", "name"):
            products[sku.lower()] = (pk, sku, name)
            if barcode:
                products.setdefault(barcode.lower(), (pk, sku, name))
        owners: dict[str, tuple[int, int | None]] = {}
        for pk, username, email, team in User.objects.filter(is_active=True).values_list(
            "pk", "username", "email", "team_id"
        ):
            owners[username.lower()] = (pk, team)
            if email:
                owners.setdefault(email.lower(), (pk, team))
        wants = set(job.mapping.values())
        emails = (
            dict(EmailAddress.objects.values_list("email", "customer_id"))
            if "customer_email" in wants
            else {}
        )
        phones = (
            dict(PhoneNumber.objects.values_list("number", "customer_id"))
            if "customer_phone" in wants
            else {}
        )
        ct = ContentType.objects.get_for_model(Order)
        ctx = Ctx(job, dry_run, stores, products, owners, emails, phones, ct_id=ct.pk)
        if not dry_run:  # resuming: orders this import already wrote get lines appended
            done = ImportedRecord.objects.filter(import_job=job, content_type=ct).values_list(
                "object_id", flat=True
            )
            for pk, source, ext in Order.objects.filter(pk__in=list(done)).values_list(
                "pk", "source", "external_id"
            ):
                ctx.seen[(source, ext)] = pk
        return ctx

    def clean(self, ctx: Ctx, values: dict[str, list[str]]) -> dict[str, Any]:
        one = {k: v[0].strip() for k, v in values.items()}
        problems: list[str] = []
        rec: dict[str, Any] = {
            "external_id": one.get("external_id", "")[:100],
            "source": (one.get("source") or "import")[:40],
        }
        if not rec["external_id"]:
            problems.append(_("The invoice / order number is missing."))
        try:
            rec["ordered_at"] = moment(one["ordered_at"]) if one.get("ordered_at") else ctx.now
        except norm.CellError as exc:
            problems.append(str(exc))
        store = None
        if one.get("store"):
            store = ctx.stores.get(one["store"].lower())
            if store is None:
                problems.append(_("Unknown store %(value)s.") % {"value": one["store"][:40]})
        rec["store"] = store
        channel = (one.get("channel") or (store[1] if store else "store")).lower()
        if channel not in ("store", "web", "marketplace", "phone", "field"):
            problems.append(_("Unknown channel %(value)s.") % {"value": channel[:30]})
        rec["channel"] = channel
        sku = one.get("sku", "")
        product = ctx.products.get(sku.lower()) if sku else None
        if product is None:
            problems.append(
                _("Unknown product code %(value)s.") % {"value": sku[:40]}
                if sku
                else _("The product code is missing.")
            )
        rec["product"] = product
        rec["description"] = (one.get("description") or (product[2] if product else ""))[:200]
        try:
            qty = amount(one["quantity"]) if one.get("quantity") else Decimal(1)
            price = amount(one.get("unit_price", "0"))
            discount = amount(one.get("discount", "0"))
            cost = amount(one["unit_cost"]) if one.get("unit_cost") else None
            if qty <= 0 or price < 0 or discount < 0:
                problems.append(_("Quantity must be positive and amounts not negative."))
            # the same column limits as the API (relasi.core.numbers), so the batch never fails
            if not QUANTITY_LIMIT.fits(qty):
                problems.append(QUANTITY_LIMIT.message(_("The quantity")))
            elif not all(MONEY_LIMIT.fits(v) for v in (qty * price, qty * (cost or 0), discount)):
                problems.append(MONEY_LIMIT.message(_("The line total")))
            rec.update(
                quantity=qty.quantize(Decimal("0.001")),
                unit_price=price.quantize(CENT),
                discount=discount.quantize(CENT),
                unit_cost=cost.quantize(CENT) if cost is not None else None,
                line_total=(qty * price - discount).quantize(CENT, rounding=ROUND_HALF_UP),
            )
        except norm.CellError as exc:
            problems.append(str(exc))
        customer = None
        if one.get("customer_id"):
            text = one["customer_id"]
            customer = int(text) if text.isdigit() and len(text) <= 18 else None
        if customer is None and one.get("customer_email"):
            customer = ctx.emails.get(one["customer_email"].lower())
        if customer is None and one.get("customer_phone"):
            try:
                customer = ctx.phones.get(norm.phone(one["customer_phone"]))
            except norm.CellError:
                customer = None
        rec["customer_id"] = customer
        rec["payment"] = (
            _PAYMENTS.get(one.get("payment_method", "").lower())
            if one.get("payment_method")
            else None
        )
        status = one.get("status", "").lower()
        rec["status"] = _STATUS.get(status, "completed") if status else "completed"
        owner = None
        if one.get("owner"):
            owner = ctx.owners.get(one["owner"].lower())
            if owner is None:
                problems.append(_("No active user %(value)s.") % {"value": one["owner"][:60]})
        rec["owner"] = owner
        if problems:
            raise norm.CellError(" ".join(problems))
        return rec

    def write(self, ctx: Ctx, job: Any, rows: list[tuple[int, Any, list[str]]]) -> ChunkResult:
        from relasi.commerce.models import Order, OrderLine

        result = ChunkResult()
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for _line, rec, _raw in rows:
            groups.setdefault((rec["source"], rec["external_id"]), []).append(rec)
        if ctx.dry_run:
            existing = set(
                Order.objects.filter(external_id__in=[k[1] for k in groups]).values_list(
                    "source", "external_id"
                )
            )
            for key in groups:
                if key in ctx.seen or key in existing:
                    result.updated += key not in ctx.seen
                else:
                    result.created += 1
                ctx.seen.setdefault(key, -1)
            return result
        new_keys = [k for k in groups if k not in ctx.seen]
        found = {}
        if new_keys:
            for pk, source, ext in Order.objects.filter(
                external_id__in=[k[1] for k in new_keys]
            ).values_list("pk", "source", "external_id"):
                found[(source, ext)] = pk
        replaced = [found[k] for k in new_keys if k in found]
        if replaced:
            OrderLine.objects.filter(order_id__in=replaced).delete()
            Order.objects.filter(pk__in=replaced).update(updated_at=ctx.now)
            result.updated += len(replaced)
            bulk.insert(
                ImportedRecord,
                ("import_job_id", "content_type_id", "object_id", "action", "before"),
                [(job.pk, ctx.ct_id, pk, RecordAction.UPDATED, None) for pk in replaced],
            )
        creates = [k for k in new_keys if k not in found]
        if creates:
            self._create_orders(ctx, job, creates, groups)
            result.created += len(creates)
        for key in new_keys:
            if key in found:
                ctx.seen[key] = found[key]
        line_rows = []
        ids = bulk.allocate_ids(OrderLine, len(rows))
        n = 0
        for key, recs in groups.items():
            order_id = ctx.seen[key]
            for no, rec in enumerate(recs, start=1):
                product_id = rec["product"][0] if rec["product"] else None
                line_rows.append(
                    (
                        ids[n],
                        order_id,
                        no,
                        product_id,
                        rec["product"][1] if rec["product"] else "",
                        rec["description"],
                        rec["quantity"],
                        rec["unit_price"],
                        rec["discount"],
                        rec["unit_cost"],
                        rec["line_total"],
                    )
                )
                n += 1
        bulk.insert(
            OrderLine,
            (
                "id",
                "order_id",
                "line_no",
                "product_id",
                "sku",
                "description",
                "quantity",
                "unit_price",
                "discount",
                "unit_cost",
                "line_total",
            ),
            line_rows,
        )
        self._totals([ctx.seen[k] for k in groups], ctx.now)
        return result

    def _create_orders(self, ctx: Ctx, job: Any, keys: list[tuple[str, str]], groups: dict) -> None:
        from relasi.commerce.actions import local_date
        from relasi.commerce.models import Order

        names, defaults, pos = bulk.columns(Order)
        ids = bulk.allocate_ids(Order, len(keys))
        now = bulk.adapt(ctx.now)
        rows = []
        for pk, key in zip(ids, keys, strict=True):
            first = groups[key][0]
            owner = first["owner"] or (None, None)
            store = first["store"]
            row = list(defaults)
            values = {
                "id": pk,
                "source": key[0],
                "external_id": key[1],
                "number": key[1],
                "customer_id": first["customer_id"],
                "channel": first["channel"],
                "store_id": store[0] if store else None,
                "ordered_at": bulk.adapt(first["ordered_at"]),
                "order_date": bulk.adapt(local_date(first["ordered_at"])),
                "status": first["status"],
                "owner_id": owner[0] or job.owner_id,
                "team_id": owner[1] if owner[0] else job.team_id,
                "created_at": now,
                "updated_at": now,
            }
            for k, v in values.items():
                row[pos[k]] = v
            rows.append(row)
            ctx.seen[key] = pk
        bulk.insert(Order, names, rows)
        pays = [(ctx.seen[k], groups[k][0]["payment"]) for k in keys if groups[k][0]["payment"]]
        if pays:
            from relasi.commerce.models import Payment

            pids = bulk.allocate_ids(Payment, len(pays))
            first_at = {ctx.seen[k]: bulk.adapt(groups[k][0]["ordered_at"]) for k in keys}
            bulk.insert(
                Payment,
                ("id", "order_id", "method", "amount", "paid_at", "reference"),
                [
                    (pid, oid, m, 0, first_at[oid], "import")
                    for pid, (oid, m) in zip(pids, pays, strict=True)
                ],
            )
        bulk.insert(
            ImportedRecord,
            ("import_job_id", "content_type_id", "object_id", "action", "before"),
            [(job.pk, ctx.ct_id, pk, RecordAction.CREATED, None) for pk in ids],
        )

    def _totals(self, order_ids: list[int], now: dt.datetime) -> None:
        """Recompute the touched orders' totals from their lines in one statement; payments
        recorded by an import are for the whole order."""
        from relasi.commerce.models import Order, OrderLine, Payment

        if not order_ids:
            return
        o, ln, pay = (
            connection.ops.quote_name(m._meta.db_table) for m in (Order, OrderLine, Payment)
        )
        marks = ", ".join(["%s"] * len(order_ids))
        cost = (
            f"CASE WHEN (SELECT COUNT(*) FROM {ln} l WHERE l.order_id = {o}.id AND l.unit_cost IS NULL) = 0 "  # noqa: S608
            f"THEN (SELECT SUM(l.unit_cost * l.quantity) FROM {ln} l WHERE l.order_id = {o}.id) END"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {o} SET subtotal = COALESCE((SELECT SUM(l.quantity * l.unit_price) FROM {ln} l "  # noqa: S608
                f"WHERE l.order_id = {o}.id), 0), discount_total = COALESCE((SELECT SUM(l.discount) "
                f"FROM {ln} l WHERE l.order_id = {o}.id), 0), total = COALESCE((SELECT SUM(l.line_total) "
                f"FROM {ln} l WHERE l.order_id = {o}.id), 0), cost_total = {cost}, updated_at = %s "
                f"WHERE id IN ({marks})",
                [bulk.adapt(now), *order_ids],
            )
            cursor.execute(
                f"UPDATE {pay} SET amount = (SELECT total FROM {o} WHERE {o}.id = {pay}.order_id) "  # noqa: S608
                f"WHERE reference = 'import' AND order_id IN ({marks})",
                order_ids,
            )
            cursor.execute(
                f"UPDATE {o} SET paid_total = COALESCE((SELECT SUM(p.amount) FROM {pay} p "  # noqa: S608
                f"WHERE p.order_id = {o}.id), 0) WHERE id IN ({marks})",
                order_ids,
            )

    def finished(self, job: Any) -> None:
        if job.created or job.updated:
            from relasi.analytics import mart

            mart.request_refresh("import")  # debounced: one refresh however many imports

    def undo(self, job: Any, actor: Any) -> dict[str, int]:
        from relasi.analytics import mart
        from relasi.commerce.models import DeletedOrder, Order

        created = list(
            ImportedRecord.objects.filter(import_job=job, action=RecordAction.CREATED).values_list(
                "object_id", flat=True
            )
        )
        deleted = 0
        for start in range(0, len(created), 1000):
            batch = created[start : start + 1000]
            DeletedOrder.objects.bulk_create([DeletedOrder(order_id=pk) for pk in batch])
            deleted += Order.objects.filter(pk__in=batch).delete()[1].get("commerce.Order", 0)
        kept = ImportedRecord.objects.filter(import_job=job, action=RecordAction.UPDATED).count()
        if deleted:
            mart.request_refresh("import undo")
        return {"deleted": deleted, "reverted": 0, "kept": kept}
