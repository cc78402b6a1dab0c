"""Deal actions: create, update, lines, stage moves (the Kanban drag), forecast categories."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.customers.choices import Kind
from relasi.sales import pricing
from relasi.sales.choices import DealStatus, DealValueSource, ForecastCategory, StageKind
from relasi.sales.models import Deal, DealLine, DealStageChange, Pipeline, Product, Stage
from relasi.sales.money import line_amounts

EDITABLE = (
    "name",
    "pipeline",
    "stage",
    "customer",
    "organization",
    "value",
    "value_source",
    "currency",
    "price_list",
    "expected_close_date",
    "forecast_category",
    "lost_reason",
    "lost_note",
    "source",
    "description",
    "owner",
    "team",
    "custom",
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def status_for(stage: Stage) -> str:
    if stage.kind == StageKind.WON:
        return DealStatus.WON
    if stage.kind == StageKind.LOST:
        return DealStatus.LOST
    return DealStatus.OPEN


def _check(data: dict[str, Any]) -> None:
    pipeline, stage = data.get("pipeline"), data.get("stage")
    if stage is not None and pipeline is not None and stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": [_("The stage does not belong to the pipeline.")]})
    org = data.get("organization")
    if org is not None and org.kind != Kind.ORGANIZATION:
        raise ValidationError({"organization": [_("Choose an organisation.")]})


def _clean_lines(
    lines: list[dict[str, Any]], currency: str, price_list: Any
) -> list[dict[str, Any]]:
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
        amounts = line_amounts(qty, Decimal(str(price)), disc, Decimal(0), currency)
        out.append(
            {
                "product": product,
                "description": (raw.get("description") or (product.name if product else ""))[:300],
                "quantity": qty,
                "unit_price": Decimal(str(price)),
                "discount_percent": disc,
                "line_total": amounts["net"],
                "order": i,
            }
        )
    return out


def lines_total(lines: list[dict[str, Any]], currency: str, price_list: Any = None) -> Decimal:
    """What `lines` would add up to on a deal (prices from the price list when left empty);
    shown beside a typed value so the rep can choose between them."""
    clean = _clean_lines(lines, currency, price_list)
    return sum((row["line_total"] for row in clean), Decimal(0))


def _source(value_source: str | None) -> str | None:
    if value_source in (None, ""):
        return None
    if value_source not in DealValueSource.values:
        raise ValidationError({"value_source": [_("Choose the typed value or the lines.")]})
    return str(value_source)


def default_value_source(value: Any) -> str:
    """Without an explicit choice a value the user typed (anything above zero) is kept."""
    try:
        typed = Decimal(str(value)) > 0 if value not in (None, "") else False
    except ArithmeticError:
        typed = False
    return DealValueSource.TYPED if typed else DealValueSource.LINES


def set_lines(
    actor: Any, deal: Deal, lines: list[dict[str, Any]], *, value_source: str | None = None
) -> Deal:
    """Replace the deal's product lines. The deal value becomes their sum only when its value
    source is "lines" (the deal's own setting, or `value_source` chosen now); a typed value
    is kept."""
    source = _source(value_source) or deal.value_source
    clean = _clean_lines(lines, deal.currency, deal.price_list)
    with transaction.atomic():
        before = [f"{line.description} × {line.quantity}" for line in deal.lines.all()]
        deal.lines.all().delete()
        DealLine.objects.bulk_create([DealLine(deal=deal, **row) for row in clean])
        total = sum((row["line_total"] for row in clean), Decimal(0))
        changes: dict[str, Any] = {
            "lines": [before, [f"{r['description']} × {r['quantity']}" for r in clean]]
        }
        update: dict[str, Any] = {}
        if source != deal.value_source:
            update["value_source"] = source
            changes["value_source"] = [deal.value_source, source]
        if clean and source == DealValueSource.LINES and total != deal.value:
            update["value"] = total
            changes["value"] = [str(deal.value), str(total)]
        if update:
            Deal.objects.filter(pk=deal.pk).update(**update)
        audit.record(actor, AuditAction.UPDATE, deal, changes=changes)
        deal.refresh_from_db()
    return deal


def create_deal(
    actor: Any, data: dict[str, Any], *, lines: list[dict] | None = None, tags: Any = None
) -> Deal:
    """Create a deal (and its lines). `value_source` in `data` says whether the lines' sum
    replaces the typed value; without it a typed value above zero is kept."""
    data = {k: v for k, v in data.items() if k in EDITABLE}
    data["value_source"] = _source(data.get("value_source")) or default_value_source(
        data.get("value")
    )
    if not data.get("pipeline"):
        data["pipeline"] = (
            data["stage"].pipeline
            if data.get("stage")
            else Pipeline.objects.filter(active=True).order_by("-is_default", "order").first()
        )
    if data["pipeline"] is None:
        raise ValidationError({"pipeline": [_("Create a pipeline first.")]})
    if not data.get("stage"):
        data["stage"] = (
            data["pipeline"].stages.filter(kind=StageKind.OPEN).order_by("order").first()
        )
    _check(data)
    if not data.get("owner") and _user(actor):
        data["owner"] = actor
    if data.get("owner") and not data.get("team"):
        data["team"] = getattr(data["owner"], "team", None)
    data["status"] = status_for(data["stage"])
    now = timezone.now()
    data["stage_entered_at"] = now
    if data["status"] != DealStatus.OPEN:
        data["closed_at"] = now
    with transaction.atomic():
        deal = records.create_record(actor, Deal, data, tags=tags)
        DealStageChange.objects.create(
            deal=deal, from_stage=None, to_stage=deal.stage, at=now, by=_user(actor)
        )
        if lines:
            deal = set_lines(actor, deal, lines)
    return deal


def update_deal(
    actor: Any,
    deal: Deal,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    tags: Any = None,
    lines: list[dict] | None = None,
) -> Deal:
    data = {k: v for k, v in data.items() if k in EDITABLE}
    data = _value_change(deal, data, lines)
    stage = data.pop("stage", None)
    merged = {"pipeline": data.get("pipeline", deal.pipeline), "stage": stage or deal.stage}
    if "pipeline" in data and data["pipeline"].pk != deal.pipeline_id and stage is None:
        merged["stage"] = data["pipeline"].stages.order_by("order").first()
        stage = merged["stage"]
    _check({**merged, "organization": data.get("organization")})
    with transaction.atomic():
        updated = records.update_record(
            actor, deal, data, expected_version=expected_version, tags=tags
        )
        if stage is not None and stage.pk != updated.stage_id:
            updated = move_deal(actor, updated, stage)
        if lines is not None:
            updated = set_lines(actor, updated, lines, value_source=data.get("value_source"))
    return updated


def _value_change(deal: Deal, data: dict[str, Any], lines: list[dict] | None) -> dict[str, Any]:
    """A new value typed on a deal whose value follows its lines keeps the typed value
    (never overwritten silently); asking for "lines" while typing a new value is refused."""
    source = _source(data.get("value_source"))
    typed = "value" in data and data["value"] is not None and Decimal(data["value"]) != deal.value
    if typed and source is None:
        source = DealValueSource.TYPED
    has_lines = bool(lines) if lines is not None else deal.lines.exists()
    if typed and source == DealValueSource.LINES and has_lines:
        raise ValidationError(
            {
                "value": [
                    _(
                        "You typed a new value but chose the sum of the product lines: "
                        "choose which one the deal keeps."
                    )
                ]
            }
        )
    if source is None:
        data.pop("value_source", None)
        return data
    data["value_source"] = source
    if source == DealValueSource.LINES and lines is None and has_lines:
        data["value"] = deal.lines.aggregate(total=Sum("line_total"))["total"] or Decimal(0)
    return data


def move_deal(
    actor: Any,
    deal: Deal,
    stage: Stage,
    *,
    expected_version: int | None = None,
    lost_reason: Any = None,
    lost_note: str = "",
) -> Deal:
    """Move a deal to another stage of its pipeline (the Kanban drop): validates the
    transition, records the stage history with the time spent in the previous stage."""
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": [_("The stage does not belong to the deal's pipeline.")]})
    if stage.pk == deal.stage_id:
        if expected_version is not None and int(expected_version) != deal.version:
            raise records.ConflictError(actor, deal, note="stale move")
        return deal
    now = timezone.now()
    status = status_for(stage)
    data: dict[str, Any] = {"stage": stage, "status": status, "stage_entered_at": now}
    if status == DealStatus.OPEN:
        data.update(closed_at=None, lost_reason=None, lost_note="")
    else:
        data["closed_at"] = now
    if status == DealStatus.LOST:
        data["lost_reason"] = lost_reason
        data["lost_note"] = (lost_note or "")[:300]
    if status == DealStatus.WON:
        data["forecast_category"] = ForecastCategory.COMMIT
    with transaction.atomic():
        previous, entered = deal.stage, deal.stage_entered_at
        updated = records.update_record(
            actor, deal, data, expected_version=expected_version, audit_message="stage move"
        )
        DealStageChange.objects.create(
            deal=updated,
            from_stage=previous,
            to_stage=stage,
            at=now,
            by=_user(actor),
            seconds_in_previous=max(0, int((now - entered).total_seconds())),
        )
    return updated


def can_override_forecast(user: Any, deal: Deal) -> bool:
    """Managers (someone above the owner, or an all-seeing role) override a rep's category."""
    if not user.has_module_perm("sales", "change"):
        return False
    if user.pk == deal.owner_id:
        return False
    from relasi.core.choices import Visibility

    return user.visibility == Visibility.ALL or (
        deal.owner_id is not None and deal.owner_id in user.subordinate_ids()
    )


def set_forecast_category(
    actor: Any,
    deal: Deal,
    category: str,
    *,
    override: bool = False,
    expected_version: int | None = None,
) -> Deal:
    if category and category not in ForecastCategory.values:
        raise ValidationError({"forecast_category": [_("Unknown forecast category.")]})
    if override:
        if not can_override_forecast(actor, deal):
            raise PermissionDenied
        data = {
            "forecast_override": category,
            "forecast_override_by": _user(actor) if category else None,
        }
    else:
        if not category:
            raise ValidationError({"forecast_category": [_("Choose a category.")]})
        data = {"forecast_category": category}
    return records.update_record(
        actor, deal, data, expected_version=expected_version, audit_message="forecast category"
    )


def delete_deal(actor: Any, deal: Deal) -> None:
    records.delete_record(actor, deal)


def create_pipeline(actor: Any, name: str, stages: list[dict[str, Any]], **extra: Any) -> Pipeline:
    with transaction.atomic():
        pipeline = records.create_record(actor, Pipeline, {"name": name, **extra})
        for i, st in enumerate(stages):
            Stage.objects.create(pipeline=pipeline, order=(i + 1) * 10, **st)
    return pipeline
