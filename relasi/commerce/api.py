"""Commerce API (/api/v1/commerce): orders (list, get, create, batch — idempotent on
(source, external_id)), stores, payments and returns."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from relasi.commerce import actions
from relasi.commerce.models import Order, OrderLine, Payment, ReturnLine, Store
from relasi.core.access import get_for_user, visible_to
from relasi.core.api import Id, PageOut, check, page_of
from relasi.core.numbers import column

router = Router(tags=["commerce"])
MAX_BATCH = 1000


Quantity = Annotated[Decimal, column(OrderLine, "quantity", gt=0)]
Price = Annotated[Decimal, column(OrderLine, "unit_price", ge=0)]


class LineIn(Schema):
    sku: str | None = None
    product_id: Id | None = None
    description: str | None = None
    quantity: Quantity = Decimal(1)
    unit_price: Price | None = None
    discount: Price = Decimal(0)
    unit_cost: Price | None = None


class PaymentIn(Schema):
    method: str = "cash"
    amount: Annotated[Decimal, column(Payment, "amount", gt=0)]
    paid_at: dt.datetime | None = None
    reference: str = ""


class OrderIn(Schema):
    source: str = "api"
    external_id: str = Field("", description="Unique per source: re-sending updates the order")
    number: str = ""
    customer_id: Id | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    channel: str | None = None
    store: str | None = Field(None, description="Store code")
    store_id: Id | None = None
    owner_id: Id | None = None
    owner: str | None = Field(None, description="Username or e-mail of the sales rep")
    ordered_at: dt.datetime | None = None
    status: str = "completed"
    currency: str = "IDR"
    note: str = ""
    lines: list[LineIn]
    payments: list[PaymentIn] = []


class LineOut(Schema):
    id: int
    line_no: int
    product_id: int | None
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    unit_cost: Decimal | None
    line_total: Decimal


class OrderOut(Schema):
    id: int
    source: str
    external_id: str
    number: str
    customer_id: int | None
    channel: str
    store_id: int | None
    owner_id: int | None
    ordered_at: dt.datetime
    order_date: dt.date
    status: str
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    cost_total: Decimal | None
    paid_total: Decimal
    returned_total: Decimal
    version: int
    updated_at: dt.datetime


class OrderDetailOut(OrderOut):
    lines: list[LineOut]


class IngestOut(Schema):
    status: str
    order: OrderDetailOut


class BatchIn(Schema):
    orders: list[OrderIn]


class BatchResult(Schema):
    index: int
    external_id: str
    status: str
    id: int | None
    errors: Any = None


class BatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: int
    results: list[BatchResult]


class StoreIn(Schema):
    code: str
    name: str
    channel: str = "store"
    city: str = ""
    province: str = ""
    address: str = ""
    active: bool = True


class StoreOut(StoreIn):
    id: int


class ReturnIn(Schema):
    reason: str
    note: str = ""
    lines: list[tuple[Id, Annotated[Decimal, column(ReturnLine, "quantity", gt=0)]]] = Field(
        ..., description="[[order line id, quantity], ...]"
    )


class AmountOut(Schema):
    id: int
    amount: Decimal


def _orders(request: HttpRequest) -> Any:
    return visible_to(request.auth, Order.objects.all())  # type: ignore[attr-defined]


def _detail(order: Order) -> dict[str, Any]:
    out = OrderOut.from_orm(order).dict()
    out["lines"] = list(order.lines.all())
    return out


def _payload(body: OrderIn) -> dict[str, Any]:
    data = body.dict()
    data["lines"] = list(data["lines"])
    return data


@router.get("/orders", response=PageOut[OrderOut])
def list_orders(
    request: HttpRequest,
    cursor: str | None = None,
    customer_id: Id | None = None,
    source: str | None = None,
    external_id: str | None = None,
    since: dt.date | None = None,
    limit: Id = 50,
) -> Any:
    check(request, "commerce", "view")
    qs = _orders(request)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if source:
        qs = qs.filter(source=source)
    if external_id:
        qs = qs.filter(external_id=external_id)
    if since:
        qs = qs.filter(order_date__gte=since)
    return page_of(qs, order="-pk", cursor=cursor, limit=min(max(limit, 1), 200))


@router.get("/orders/{int:order_id}", response=OrderDetailOut)
def get_order(request: HttpRequest, order_id: int) -> Any:
    check(request, "commerce", "view")
    return _detail(get_for_user(request.auth, Order.objects.prefetch_related("lines"), pk=order_id))  # type: ignore[attr-defined]


@router.post("/orders", response={200: IngestOut, 201: IngestOut})
def create_order(request: HttpRequest, body: OrderIn) -> Any:
    """Create an order, or update the one with the same (source, external_id)."""
    user = check(request, "commerce", "add")
    with transaction.atomic():  # a request that fails, even while answering, leaves nothing
        order, outcome = actions.ingest_order(user, _payload(body))
        if (
            outcome != "created"
            and not visible_to(user, Order.objects.filter(pk=order.pk)).exists()
        ):
            raise HttpError(404, "Not found.")
        result = {"status": outcome, "order": _detail(order)}
    return Status(201, result) if outcome == "created" else result


@router.post("/orders/batch", response=BatchOut)
def batch_orders(request: HttpRequest, body: BatchIn) -> Any:
    """Up to 1,000 orders; each is created, updated or reported with its own errors."""
    user = check(request, "commerce", "add")
    if len(body.orders) > MAX_BATCH:
        raise HttpError(422, f"At most {MAX_BATCH} orders per request.")
    results = actions.ingest_batch(user, [_payload(o) for o in body.orders])
    counts = {
        k: sum(1 for r in results if r["status"] == k)
        for k in ("created", "updated", "unchanged", "error")
    }
    return {"created": counts["created"], "updated": counts["updated"], "unchanged": counts["unchanged"],
            "errors": counts["error"], "results": results}  # fmt: skip


@router.delete("/orders/{int:order_id}", response={204: None})
def delete_order(request: HttpRequest, order_id: int) -> Any:
    user = check(request, "commerce", "delete")
    actions.delete_order(user, get_for_user(user, Order.objects.all(), pk=order_id))
    return Status(204, None)


@router.post("/orders/{int:order_id}/payments", response={201: AmountOut})
def add_payment(request: HttpRequest, order_id: int, body: PaymentIn) -> Any:
    user = check(request, "commerce", "change")
    order = get_for_user(user, Order.objects.all(), pk=order_id)
    payment = actions.add_payment(
        user, order, body.method, body.amount, body.paid_at, body.reference
    )
    return Status(201, payment)


@router.post("/orders/{int:order_id}/returns", response={201: AmountOut})
def add_return(request: HttpRequest, order_id: int, body: ReturnIn) -> Any:
    user = check(request, "commerce", "change")
    order = get_for_user(user, Order.objects.all(), pk=order_id)
    ret = actions.add_return(user, order, body.reason, body.lines, body.note)
    return Status(201, ret)


@router.get("/stores", response=list[StoreOut])
def list_stores(request: HttpRequest) -> Any:
    check(request, "commerce", "view")
    return list(Store.objects.all()[:1000])


@router.post("/stores", response={201: StoreOut})
def create_store(request: HttpRequest, body: StoreIn) -> Any:
    check(request, "commerce", "add")
    store = Store(**body.dict())
    store.full_clean()
    store.save()
    return Status(201, store)
