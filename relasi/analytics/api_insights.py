"""Customer-model API under /api/v1/analytics/insights/: segments, one customer's scores, CLV
parameters, the churn list, association rules and cross-sell suggestions for a customer.
Module permission "analytics" (view); customer-level answers respect record visibility."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from relasi.analytics import insights_hooks, insights_queries, mart, rfm
from relasi.analytics.insights_scope import for_user
from relasi.analytics.models_insights import ModelKind, ModelRun
from relasi.core.access import get_for_user
from relasi.core.api import check

router = Router(tags=["analytics"])


class Filters(Schema):
    start: str | None = None
    end: str | None = None
    store: int | None = None
    channel: str | None = None
    team: int | None = None


def _scope(request: HttpRequest, f: Filters) -> Any:
    import datetime as dt

    try:
        start = dt.date.fromisoformat(f.start) if f.start else None
        end = dt.date.fromisoformat(f.end) if f.end else None
    except ValueError as exc:
        raise HttpError(422, "Dates are YYYY-MM-DD.") from exc
    return for_user(request.auth, start=start, as_of=end, store=f.store,  # type: ignore[attr-defined]
                    channel=f.channel or None, team=f.team)  # fmt: skip


def _mart(fn: Any) -> Any:
    try:
        return fn()
    except mart.MartMissing as exc:
        raise HttpError(503, "The data mart has not been built yet.") from exc


class SegmentOut(Schema):
    key: str
    label: str
    customers: int
    share: float
    value: float
    value_share: float


@router.get("/insights/segments", response=list[SegmentOut])
def segments(request: HttpRequest, filters: Query[Filters]) -> list[dict]:
    check(request, "analytics")
    data = _mart(lambda: insights_queries.segments(_scope(request, filters)))
    return [{**s, "label": str(s["label"])} for s in data.get("summary", [])]


class ScoresOut(Schema):
    customer_id: int
    rfm: dict | None = None
    clv: float | None = None
    p_alive: float | None = None
    expected_purchases_12m: float | None = None
    churn_risk: float | None = None
    churn_reasons: list[str] = []
    lifecycle: dict | None = None  # recorded and derived stage, and whether they contradict


@router.get("/insights/customers/{customer_id}", response=ScoresOut)
def customer_scores(request: HttpRequest, customer_id: int) -> dict:
    check(request, "analytics")
    from relasi.customers.models import Customer

    customer = get_for_user(request.auth, Customer.objects.all(), pk=customer_id)  # type: ignore[attr-defined]
    s = insights_hooks.customer_scores(customer)
    out: dict[str, Any] = {"customer_id": customer.pk}
    if s.get("segment"):
        out["rfm"] = {"segment": s["segment"], "label": str(rfm.LABELS.get(s["segment"], "")),
                      "r": s["r"], "f": s["f"], "m": s["m"], "recency_days": s["recency_days"],
                      "frequency": s["frequency"], "monetary": s["monetary"]}  # fmt: skip
    out.update(clv=s.get("clv"), p_alive=s.get("p_alive"),
               expected_purchases_12m=s.get("exp_purchases"), churn_risk=s.get("risk"),
               churn_reasons=insights_hooks.reason_texts(s) if s.get("risk") is not None else [])  # fmt: skip
    from relasi.analytics import lifecycle

    found = lifecycle.check(customer, timezone.localdate())
    if found:
        out["lifecycle"] = {**found, "last_order": found["last_order"].isoformat()}
    return out


class ModelRunOut(Schema):
    kind: str
    fitted_at: Any
    as_of: Any
    params: dict
    quality: dict
    seconds: float | None


@router.get("/insights/clv", response={200: ModelRunOut, 404: dict})
def clv_params(request: HttpRequest) -> Any:
    check(request, "analytics")
    run = ModelRun.objects.filter(kind=ModelKind.CLV, ok=True).first()
    if run is None:
        return 404, {"status": 404, "message": "Not fitted yet."}
    return run


class BacktestQuery(Filters):
    calibration_end: str
    holdout_weeks: int = 26


@router.get("/insights/clv/backtest", response={200: dict, 503: dict})
def clv_backtest(request: HttpRequest, filters: Query[BacktestQuery]) -> Any:
    """Fit MBG/NBD and BG/NBD as of `calibration_end` and compare their predicted repeat
    purchases in the next `holdout_weeks` weeks with what happened (same limits as the page)."""
    check(request, "analytics")
    from relasi.analytics.views_insights import BacktestForm

    scope = _scope(request, filters)
    form = BacktestForm({"calibration_end": filters.calibration_end,
                         "holdout_weeks": filters.holdout_weeks}, last_day=scope.end)  # fmt: skip
    if not form.is_valid():
        raise HttpError(422, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    end, weeks = form.cleaned_data["calibration_end"], form.cleaned_data["holdout_weeks"]
    return _mart(lambda: insights_queries.clv_backtest(scope, end, weeks))


class ChurnOut(Schema):
    customer_id: int
    name: str | None
    owner: str | None
    risk: float
    reasons: list[str]
    recency_days: float
    frequency: float
    monetary: float


@router.get("/insights/churn", response=list[ChurnOut])
def churn_list(request: HttpRequest, filters: Query[Filters], min_risk: float = 0.4,
               limit: int = 200) -> list[dict]:  # fmt: skip
    check(request, "analytics")
    rows = _mart(lambda: insights_queries.churn_rows(
        _scope(request, filters), min_risk=min_risk, limit=max(1, min(limit, 1000))))  # fmt: skip
    return [{"customer_id": r["customer_key"], "name": r["name"], "owner": r["owner"],
             "risk": r["risk"], "reasons": insights_hooks.reason_texts(r),
             "recency_days": r["recency_days"], "frequency": r["frequency"],
             "monetary": r["monetary"] or 0} for r in rows]  # fmt: skip


class RuleOut(Schema):
    antecedent: list[int]
    antecedent_names: list[str]
    consequent: int
    consequent_name: str
    baskets: int
    support: float
    confidence: float
    lift: float


@router.get("/insights/rules", response=list[RuleOut])
def rules(request: HttpRequest, filters: Query[Filters], product: int | None = None,
          limit: int = 100) -> list[dict]:  # fmt: skip
    check(request, "analytics")
    data = _mart(lambda: insights_queries.rules(
        _scope(request, filters), limit=max(1, min(limit, 1000)), product=product))  # fmt: skip
    return [{"antecedent": r["ante"], "antecedent_names": r["ante_names"],
             "consequent": r["consequent"], "consequent_name": r["consequent_name"],
             "baskets": r["baskets"], "support": r["support"], "confidence": r["confidence"],
             "lift": r["lift"]} for r in data["rules"]]  # fmt: skip


class SuggestionOut(Schema):
    product_id: int
    name: str
    because: list[str]
    confidence: float
    lift: float


@router.get("/insights/customers/{customer_id}/cross-sell", response=list[SuggestionOut])
def cross_sell(request: HttpRequest, customer_id: int) -> list[dict]:
    check(request, "analytics")
    from relasi.customers.models import Customer

    customer = get_for_user(request.auth, Customer.objects.all(), pk=customer_id)  # type: ignore[attr-defined]
    owned = insights_hooks._products_bought(customer.pk)
    return [{"product_id": s["product_key"], "name": s["name"], "because": s["because"],
             "confidence": s["confidence"], "lift": s["lift"]}
            for s in insights_hooks._suggest(owned)]  # fmt: skip


@router.get("/insights/status")
def status(request: HttpRequest) -> dict:
    check(request, "analytics")
    return {"generation": mart.generation(), "meta": insights_queries.meta(),
            "now": timezone.now().isoformat()}  # fmt: skip
