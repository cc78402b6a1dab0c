"""Sales API (/api/v1/sales): leads (CRUD, status, convert, score reasons), deals (CRUD with
version, move stage), pipelines and stages, products, price lists, quotes (create, revise,
PDF, send, approval) and the forecast. Everything goes through the access layer: a record the
caller may not see is a 404; writes need the record's `version` (409 if stale)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from relasi.core.access import get_for_user, visible_to
from relasi.core.api import Id, PageOut, check, page_of
from relasi.core.numbers import column
from relasi.core.typing import ApiRequest
from relasi.customers.dq_api import DuplicatesFound as CustomerDuplicatesFound
from relasi.customers.models import Customer
from relasi.sales import forecast as forecast_math
from relasi.sales import periods, quoting, scoring
from relasi.sales.actions import deals as deal_actions
from relasi.sales.actions import leads as lead_actions
from relasi.sales.actions import quotes as quote_actions
from relasi.sales.filtersets import DealFilterSet, LeadFilterSet, QuoteFilterSet
from relasi.sales.models import (
    Deal,
    DealLine,
    Lead,
    LostReason,
    Pipeline,
    PriceList,
    Product,
    Quote,
    Stage,
)

router = Router(tags=["sales"])


def _order(value: str, allowed: set[str], default: str) -> str:
    return value if value in allowed else default


# --- schemas ----------------------------------------------------------------------------------


class LeadOut(Schema):
    id: int
    name: str
    first_name: str
    last_name: str
    company: str
    job_title: str
    email: str
    phone: str
    city: str
    province: str
    source: str
    status: str
    disqualify_reason: str
    product_interest_id: int | None
    interest: str
    expected_value: Decimal
    currency: str
    score: int
    owner_id: int | None
    team_id: int | None
    consent: bool
    converted_customer_id: int | None
    converted_organization_id: int | None
    converted_deal_id: int | None
    converted_at: dt.datetime | None
    created_at: dt.datetime
    version: int
    custom: dict[str, Any]


class LeadIn(Schema):
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    company: str = ""
    job_title: str = ""
    email: str = ""
    phone: str = ""
    city: str = ""
    province: str = ""
    source: str = "other"
    product_interest_id: int | None = None
    interest: str = ""
    expected_value: Decimal = column(Lead, "expected_value", default=Decimal(0), ge=0)
    currency: str | None = None
    notes: str = ""
    owner_id: int | None = None


class LeadPatch(Schema):
    version: int
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    job_title: str | None = None
    email: str | None = None
    phone: str | None = None
    city: str | None = None
    province: str | None = None
    source: str | None = None
    interest: str | None = None
    expected_value: Decimal | None = column(Lead, "expected_value", default=None, ge=0)
    notes: str | None = None
    owner_id: int | None = None


class LeadStatusIn(Schema):
    version: int | None = None
    status: str
    reason: str = ""
    note: str = ""


class ConvertIn(Schema):
    version: int | None = None
    # "auto" (match or create), "new", "skip"/null, or the id of an existing customer
    person: Literal["auto", "new", "skip", ""] | Id | None = "auto"
    organization: Literal["auto", "new", "skip", ""] | Id | None = "auto"
    create_deal: bool = False
    deal_name: str = ""
    pipeline_id: int | None = None
    value: Decimal | None = column(Deal, "value", default=None, ge=0)
    # Which value the new deal keeps: the typed one (default) or the product lines' sum.
    value_source: Literal["typed", "lines"] | None = None
    expected_close_date: dt.date | None = None
    force: bool = False


class ScoreOut(Schema):
    score: int
    # Each reason: its code and parameters (language-neutral, as stored) plus "text" and
    # "detail" in the request's language.
    reasons: list[dict[str, Any]]


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int
    kind: str
    rotting_days: int | None


class PipelineOut(Schema):
    id: int
    name: str
    description: str
    is_default: bool
    active: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Pipeline) -> list[Stage]:
        return list(obj.stages.all())


class LineOut(Schema):
    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


class LineIn(Schema):
    product_id: int | None = None
    description: str = ""
    quantity: Decimal = column(DealLine, "quantity", default=Decimal(1), gt=0)
    unit_price: Decimal | None = column(DealLine, "unit_price", default=None, ge=0)
    discount_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    tax_rate: Decimal | None = Field(default=None, ge=0, le=100)


class DealOut(Schema):
    id: int
    name: str
    pipeline_id: int
    stage_id: int
    status: str
    customer_id: int | None
    organization_id: int | None
    value: Decimal
    value_source: str
    currency: str
    expected_close_date: dt.date | None
    closed_at: dt.datetime | None
    stage_entered_at: dt.datetime
    forecast_category: str
    forecast_override: str
    lost_reason_id: int | None
    owner_id: int | None
    team_id: int | None
    created_at: dt.datetime
    version: int
    custom: dict[str, Any]


class DealDetailOut(DealOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Deal) -> list[Any]:
        return list(obj.lines.all())


class DealIn(Schema):
    name: str
    pipeline_id: int | None = None
    stage_id: int | None = None
    customer_id: int | None = None
    organization_id: int | None = None
    value: Decimal = column(Deal, "value", default=Decimal(0), ge=0)
    value_source: Literal["typed", "lines"] | None = None
    currency: str | None = None
    expected_close_date: dt.date | None = None
    forecast_category: str | None = None
    owner_id: int | None = None
    lines: list[LineIn] | None = None


class DealPatch(Schema):
    version: int
    name: str | None = None
    customer_id: int | None = None
    organization_id: int | None = None
    value: Decimal | None = column(Deal, "value", default=None, ge=0)
    value_source: Literal["typed", "lines"] | None = None
    expected_close_date: dt.date | None = None
    forecast_category: str | None = None
    forecast_override: str | None = None
    owner_id: int | None = None
    lines: list[LineIn] | None = None


class MoveIn(Schema):
    stage_id: int
    version: int
    lost_reason_id: int | None = None
    lost_note: str = ""


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category_id: int | None
    description: str
    unit: str
    unit_price: Decimal
    currency: str
    tax_rate: Decimal
    barcode: str
    active: bool
    stock_level: int | None
    version: int


class ProductIn(Schema):
    sku: str
    name: str
    category_id: int | None = None
    description: str = ""
    unit: str = "pcs"
    unit_price: Decimal = column(Product, "unit_price", ge=0)
    currency: str | None = None
    tax_rate: Decimal = Field(default=Decimal(11), ge=0, le=100)
    barcode: str = ""
    active: bool = True
    stock_level: int | None = None


class ProductPatch(Schema):
    version: int
    name: str | None = None
    unit_price: Decimal | None = column(Product, "unit_price", default=None, ge=0)
    tax_rate: Decimal | None = Field(default=None, ge=0, le=100)
    active: bool | None = None
    stock_level: int | None = None
    description: str | None = None


class PriceItemOut(Schema):
    product_id: int
    unit_price: Decimal
    min_quantity: Decimal
    valid_from: dt.date | None
    valid_until: dt.date | None


class PriceListOut(Schema):
    id: int
    name: str
    kind: str
    currency: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    active: bool
    is_default: bool


class PriceListDetailOut(PriceListOut):
    items: list[PriceItemOut]

    @staticmethod
    def resolve_items(obj: PriceList) -> list[Any]:
        return list(obj.items.all())


class QuoteLineOut(Schema):
    product_id: int | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    line_total: Decimal


class QuoteOut(Schema):
    id: int
    number: str
    revision: int
    status: str
    deal_id: int
    customer_id: int | None
    title: str
    issue_date: dt.date
    valid_until: dt.date
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    max_discount_percent: Decimal
    needs_approval: bool
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None
    sent_to: str
    owner_id: int | None
    version: int

    @staticmethod
    def resolve_needs_approval(obj: Quote) -> bool:
        return quote_actions.needs_approval(obj)


class QuoteDetailOut(QuoteOut):
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_lines(obj: Quote) -> list[Any]:
        return list(obj.lines.all())


class QuoteIn(Schema):
    title: str = ""
    valid_until: dt.date | None = None
    notes: str = ""
    terms: str = ""
    lines: list[LineIn] | None = None


class ReviseIn(Schema):
    lines: list[LineIn] | None = None


class SendIn(Schema):
    to: str
    subject: str = ""
    message: str = ""


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class ForecastRowOut(Schema):
    key: str
    label: str
    scope: str
    user_id: int | None
    team_id: int | None
    weighted: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    closed_won: Decimal
    forecast: Decimal
    quota: Decimal | None
    open_deals: int
    children: list["ForecastRowOut"]


class LeadFilters(Schema):
    q: str | None = None
    status: list[str] | None = None
    source: str | None = None
    owner: int | None = None
    team: int | None = None
    province: str | None = None
    min_score: int | None = None


class DealFilters(Schema):
    q: str | None = None
    pipeline: Id | None = None
    stage: Id | None = None
    status: str | None = None
    owner: Id | None = None
    team: Id | None = None
    close_after: dt.date | None = None
    close_before: dt.date | None = None
    customer: Id | None = None


# --- helpers ----------------------------------------------------------------------------------


def _user_or_none(pk: int | None) -> Any:
    from relasi.accounts.models import User

    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        from ninja.errors import HttpError

        raise HttpError(422, "Unknown owner.")
    return user


def _customer(user: Any, pk: int | None) -> Customer | None:
    return None if pk is None else get_for_user(user, Customer.objects.all(), pk=pk)


def _lines(rows: list[LineIn] | None) -> list[dict[str, Any]] | None:
    if rows is None:
        return None
    out = []
    for r in rows:
        data = r.dict()
        pid = data.pop("product_id")
        data["product"] = _or_404(Product.objects.filter(pk=pid)) if pid else None
        out.append(data)
    return out


def _filtered(fs_class: Any, user: Any, qs: Any, filters: Any) -> Any:
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    for key, value in filters.dict(exclude_none=True).items():
        if isinstance(value, list):
            params.setlist(key, [str(v) for v in value])
        else:
            params[key] = str(value)
    fs = fs_class(params, queryset=qs)
    if hasattr(fs, "limit_to_user"):
        fs.limit_to_user(user)
    if not fs.is_valid():  # a 422 naming the filter, as every other app answers
        raise ValidationError(fs.errors.get_json_data())
    return fs.qs


# --- leads ------------------------------------------------------------------------------------


@router.get("/leads", response=PageOut[LeadOut], summary="List leads (visible to you)")
def list_leads(
    request: ApiRequest,
    filters: Query[LeadFilters],
    cursor: str | None = None,
    order: str = "-score",
    limit: int = 50,
) -> dict:
    user = check(request, "sales", "view")
    qs = _filtered(LeadFilterSet, user, visible_to(user, Lead.objects.all()), filters)
    return page_of(
        qs,
        order=_order(
            order, {"-score", "score", "-id", "id", "name", "-created_at", "created_at"}, "-score"
        ),
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )


@router.post(
    "/leads",
    response={201: LeadOut},
    summary="Create a lead (no owner: the assignment rules choose)",
)
def create_lead(request: ApiRequest, payload: LeadIn) -> Status:
    user = check(request, "sales", "add")
    data = payload.dict()
    owner = _user_or_none(data.pop("owner_id"))
    pid = data.pop("product_interest_id")
    data["product_interest"] = Product.objects.filter(pk=pid).first() if pid else None
    if not data.get("currency"):
        data.pop("currency")
    if owner:
        data["owner"] = owner
    lead = lead_actions.create_lead(user, data)
    if lead.owner_id is None:
        lead = lead_actions.reassign(user, lead, user)
    return Status(201, lead)


@router.get("/leads/{pk}", response=LeadOut, summary="One lead")
def get_lead(request: ApiRequest, pk: int) -> Lead:
    user = check(request, "sales", "view")
    return get_for_user(user, Lead.objects.all(), pk=pk)


@router.patch("/leads/{pk}", response=LeadOut, summary="Update a lead (send its version)")
def patch_lead(request: ApiRequest, pk: int, payload: LeadPatch) -> Lead:
    user = check(request, "sales", "change")
    lead = get_for_user(user, Lead.objects.all(), pk=pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "owner_id" in data:
        data["owner"] = _user_or_none(data.pop("owner_id"))
    return lead_actions.update_lead(user, lead, data, expected_version=version)


@router.delete("/leads/{pk}", response={204: None}, summary="Delete a lead")
def delete_lead(request: ApiRequest, pk: int) -> Status:
    user = check(request, "sales", "delete")
    lead_actions.delete_lead(user, get_for_user(user, Lead.objects.all(), pk=pk))
    return Status(204, None)


@router.post("/leads/{pk}/status", response=LeadOut, summary="Change a lead's status")
def lead_status(request: ApiRequest, pk: int, payload: LeadStatusIn) -> Lead:
    user = check(request, "sales", "change")
    lead = get_for_user(user, Lead.objects.all(), pk=pk)
    return lead_actions.change_status(
        user,
        lead,
        payload.status,
        reason=payload.reason,
        note=payload.note,
        expected_version=payload.version,
    )


@router.get("/leads/{pk}/score", response=ScoreOut, summary="A lead's score and the reasons for it")
def lead_score(request: ApiRequest, pk: int) -> dict:
    user = check(request, "sales", "view")
    lead = get_for_user(user, Lead.objects.all(), pk=pk)
    return {"score": lead.score, "reasons": scoring.explain(lead.score_reasons)}


@router.post(
    "/leads/{pk}/convert",
    response=LeadOut,
    summary="Convert a lead (person/organisation: auto, new, an id, or null)",
)
def convert_lead(request: ApiRequest, pk: int, payload: ConvertIn) -> Lead:
    user = check(request, "sales", "change")
    check(request, "customers", "add")
    lead = get_for_user(user, Lead.objects.all(), pk=pk)
    deal: dict[str, Any] = {}
    if payload.create_deal:
        if payload.deal_name:
            deal["name"] = payload.deal_name
        if payload.pipeline_id:
            deal["pipeline"] = _or_404(Pipeline.objects.filter(pk=payload.pipeline_id))
        if payload.value is not None:
            deal["value"] = payload.value
        if payload.expected_close_date:
            deal["expected_close_date"] = payload.expected_close_date
    try:
        return lead_actions.convert_lead(
            user,
            lead,
            person=str(payload.person) if payload.person is not None else None,
            organization=str(payload.organization) if payload.organization is not None else None,
            create_deal=payload.create_deal,
            deal=deal,
            value_source=payload.value_source,
            force=payload.force,
            expected_version=payload.version,
        )
    except lead_actions.DuplicatesFound as exc:
        raise CustomerDuplicatesFound(exc.found) from exc


# --- pipelines, deals -------------------------------------------------------------------------


@router.get("/pipelines", response=list[PipelineOut], summary="Pipelines with their stages")
def list_pipelines(request: ApiRequest) -> list[Pipeline]:
    check(request, "sales", "view")
    return list(Pipeline.objects.prefetch_related("stages"))


@router.get("/pipelines/{pk}", response=PipelineOut, summary="One pipeline")
def get_pipeline(request: ApiRequest, pk: int) -> Pipeline:
    check(request, "sales", "view")
    return _or_404(Pipeline.objects.filter(pk=pk))


def _or_404(qs: Any) -> Any:
    from django.http import Http404

    obj = qs.first()
    if obj is None:
        raise Http404
    return obj


@router.get("/deals", response=PageOut[DealOut], summary="List deals (visible to you)")
def list_deals(
    request: ApiRequest,
    filters: Query[DealFilters],
    cursor: str | None = None,
    order: str = "-id",
    limit: int = 50,
) -> dict:
    user = check(request, "sales", "view")
    qs = _filtered(DealFilterSet, user, visible_to(user, Deal.objects.all()), filters)
    return page_of(
        qs,
        order=_order(
            order,
            {"-id", "id", "value", "-value", "expected_close_date", "-expected_close_date", "name"},
            "-id",
        ),
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )


@router.post("/deals", response={201: DealDetailOut}, summary="Create a deal")
def create_deal(request: ApiRequest, payload: DealIn) -> Status:
    user = check(request, "sales", "add")
    data: dict[str, Any] = {
        "name": payload.name,
        "value": payload.value,
        "value_source": payload.value_source,
        "expected_close_date": payload.expected_close_date,
    }
    if payload.pipeline_id:
        data["pipeline"] = _or_404(Pipeline.objects.filter(pk=payload.pipeline_id))
    if payload.stage_id:
        data["stage"] = _or_404(Stage.objects.filter(pk=payload.stage_id))
    data["customer"] = _customer(user, payload.customer_id)
    data["organization"] = _customer(user, payload.organization_id)
    if payload.currency:
        data["currency"] = payload.currency
    if payload.forecast_category:
        data["forecast_category"] = payload.forecast_category
    if payload.owner_id:
        data["owner"] = _user_or_none(payload.owner_id)
    deal = deal_actions.create_deal(user, data, lines=_lines(payload.lines))
    return Status(201, deal)


@router.get("/deals/{pk}", response=DealDetailOut, summary="One deal with its lines")
def get_deal(request: ApiRequest, pk: int) -> Deal:
    user = check(request, "sales", "view")
    return get_for_user(user, Deal.objects.all(), pk=pk)


@router.patch("/deals/{pk}", response=DealDetailOut, summary="Update a deal (send its version)")
def patch_deal(request: ApiRequest, pk: int, payload: DealPatch) -> Deal:
    user = check(request, "sales", "change")
    deal = get_for_user(user, Deal.objects.all(), pk=pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    lines = _lines(payload.lines) if "lines" in data else None
    data.pop("lines", None)
    override = data.pop("forecast_override", None)
    if "customer_id" in data:
        data["customer"] = _customer(user, data.pop("customer_id"))
    if "organization_id" in data:
        data["organization"] = _customer(user, data.pop("organization_id"))
    if "owner_id" in data:
        data["owner"] = _user_or_none(data.pop("owner_id"))
    deal = deal_actions.update_deal(user, deal, data, expected_version=version, lines=lines)
    if override is not None:
        deal = deal_actions.set_forecast_category(user, deal, override, override=True)
    return deal


@router.delete("/deals/{pk}", response={204: None}, summary="Delete a deal")
def delete_deal(request: ApiRequest, pk: int) -> Status:
    user = check(request, "sales", "delete")
    deal_actions.delete_deal(user, get_for_user(user, Deal.objects.all(), pk=pk))
    return Status(204, None)


@router.post(
    "/deals/{pk}/move", response=DealOut, summary="Move a deal to another stage (send its version)"
)
def move_deal(request: ApiRequest, pk: int, payload: MoveIn) -> Deal:
    user = check(request, "sales", "change")
    deal = get_for_user(user, Deal.objects.all(), pk=pk)
    stage = _or_404(Stage.objects.filter(pk=payload.stage_id))
    reason = (
        LostReason.objects.filter(pk=payload.lost_reason_id).first()
        if payload.lost_reason_id
        else None
    )
    return deal_actions.move_deal(
        user,
        deal,
        stage,
        expected_version=payload.version,
        lost_reason=reason,
        lost_note=payload.lost_note,
    )


# --- products, price lists --------------------------------------------------------------------


@router.get("/products", response=PageOut[ProductOut], summary="List products")
def list_products(
    request: ApiRequest,
    q: str = "",
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> dict:
    check(request, "sales", "view")
    qs = Product.objects.all()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(sku__istartswith=q)
    if active is not None:
        qs = qs.filter(active=active)
    return page_of(qs, order="name", cursor=cursor, limit=max(1, min(limit, 500)))


@router.post("/products", response={201: ProductOut}, summary="Create a product (commerce add)")
def create_product(request: ApiRequest, payload: ProductIn) -> Status:
    from relasi.core import records

    user = check(request, "commerce", "add")
    data = payload.dict()
    if not data.get("currency"):
        data.pop("currency")
    return Status(201, records.create_record(user, Product, data))


@router.get("/products/{pk}", response=ProductOut, summary="One product")
def get_product(request: ApiRequest, pk: int) -> Product:
    check(request, "sales", "view")
    return _or_404(Product.objects.filter(pk=pk))


@router.patch(
    "/products/{pk}",
    response=ProductOut,
    summary="Update a product, e.g. its stock level (commerce change)",
)
def patch_product(request: ApiRequest, pk: int, payload: ProductPatch) -> Product:
    from django.utils import timezone

    from relasi.core import records

    user = check(request, "commerce", "change")
    product = _or_404(Product.objects.filter(pk=pk))
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "stock_level" in data:
        data["stock_updated_at"] = timezone.now()
    return records.update_record(user, product, data, expected_version=version)


@router.get("/price-lists", response=list[PriceListOut], summary="Price lists")
def list_price_lists(request: ApiRequest) -> list[PriceList]:
    check(request, "sales", "view")
    return list(PriceList.objects.all())


@router.get(
    "/price-lists/{pk}", response=PriceListDetailOut, summary="One price list with its prices"
)
def get_price_list(request: ApiRequest, pk: int) -> PriceList:
    check(request, "sales", "view")
    return _or_404(PriceList.objects.filter(pk=pk))


# --- quotes -----------------------------------------------------------------------------------


@router.get("/quotes", response=PageOut[QuoteOut], summary="List quotes (visible to you)")
def list_quotes(
    request: ApiRequest,
    status: str | None = None,
    current: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict:
    user = check(request, "sales", "view")
    qs = visible_to(user, Quote.objects.all())
    params = {k: v for k, v in {"status": status, "current": current}.items() if v is not None}
    fs = QuoteFilterSet(params, queryset=qs)
    if not fs.is_valid():
        raise ValidationError(fs.errors.get_json_data())
    return page_of(
        fs.qs,
        order="-id",
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )


@router.post(
    "/deals/{pk}/quotes", response={201: QuoteDetailOut}, summary="Create a quote from a deal"
)
def create_quote(request: ApiRequest, pk: int, payload: QuoteIn) -> Status:
    user = check(request, "sales", "add")
    deal = get_for_user(user, Deal.objects.all(), pk=pk)
    data = {k: v for k, v in payload.dict().items() if k != "lines" and v not in (None, "")}
    return Status(201, quote_actions.create_quote(user, deal, data, lines=_lines(payload.lines)))


def _quote(request: ApiRequest, pk: int, action: str) -> tuple[Any, Quote]:
    user = check(request, "sales", action)
    return user, get_for_user(user, Quote.objects.all(), pk=pk)


@router.get("/quotes/{pk}", response=QuoteDetailOut, summary="One quote with its lines")
def get_quote(request: ApiRequest, pk: int) -> Quote:
    return _quote(request, pk, "view")[1]


@router.post(
    "/quotes/{pk}/revise", response={201: QuoteDetailOut}, summary="A new revision (same number)"
)
def revise_quote(request: ApiRequest, pk: int, payload: ReviseIn) -> Status:
    user, quote = _quote(request, pk, "add")
    return Status(201, quote_actions.revise(user, quote, lines=_lines(payload.lines)))


@router.get("/quotes/{pk}/pdf", summary="The quote as PDF", response={200: None})
def quote_pdf(request: ApiRequest, pk: int) -> HttpResponse:
    _user, quote = _quote(request, pk, "view")
    response = HttpResponse(quoting.render_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quoting.filename(quote)}"'
    return response


@router.post("/quotes/{pk}/send", response=QuoteOut, summary="E-mail the quote as PDF")
def send_quote(request: ApiRequest, pk: int, payload: SendIn) -> Quote:
    user, quote = _quote(request, pk, "change")
    return quote_actions.send(
        user, quote, payload.to, subject=payload.subject, message=payload.message
    )


@router.post(
    "/quotes/{pk}/request-approval",
    response=QuoteOut,
    summary="Ask a manager to approve the discount",
)
def request_approval(request: ApiRequest, pk: int) -> Quote:
    user, quote = _quote(request, pk, "change")
    return quote_actions.request_approval(user, quote)


@router.post("/quotes/{pk}/approve", response=QuoteOut, summary="Approve or reject the discount")
def approve_quote(request: ApiRequest, pk: int, payload: DecisionIn) -> Quote:
    user, quote = _quote(request, pk, "change")
    try:
        return quote_actions.decide(user, quote, payload.approve, payload.note)
    except PermissionDenied as exc:
        from ninja.errors import HttpError

        raise HttpError(403, "You may not approve this quote.") from exc


# --- forecast ---------------------------------------------------------------------------------


def _row(r: forecast_math.Row) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "scope": r.scope,
        "user_id": r.user_id,
        "team_id": r.team_id,
        "weighted": r.weighted,
        "commit": r.commit,
        "best_case": r.best_case,
        "pipeline": r.pipeline,
        "closed_won": r.closed_won,
        "forecast": r.forecast,
        "quota": r.quota,
        "open_deals": r.open_deals,
        "children": [_row(c) for c in r.children],
    }


@router.get(
    "/forecast",
    response=ForecastRowOut,
    summary="Forecast for a month or quarter (company → teams → reps)",
)
def forecast(request: ApiRequest, period_kind: str = "quarter", period: str | None = None) -> dict:
    from django.utils import timezone

    user = check(request, "sales", "view")
    kind = period_kind if period_kind in ("month", "quarter") else "quarter"
    start = periods.parse(period, kind, timezone.localdate())
    return _row(forecast_math.build(user, kind, start))
