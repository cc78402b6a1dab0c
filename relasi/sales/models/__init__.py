"""Sales models, one module per area (the package keeps each file short)."""

from relasi.sales.models.deals import Deal, DealLine, DealStageChange, LostReason, Pipeline, Stage
from relasi.sales.models.forecasts import ForecastSnapshot, Quota
from relasi.sales.models.leads import (
    AssignmentRule,
    Lead,
    LeadEvent,
    SalesRepSettings,
    ScoreSettings,
    ScoringRule,
    WebForm,
    WebFormSubmission,
)
from relasi.sales.models.products import PriceList, PriceListItem, Product, ProductCategory
from relasi.sales.models.quotes import Quote, QuoteLine, QuoteSequence, QuoteTemplate

__all__ = [
    "AssignmentRule",
    "Deal",
    "DealLine",
    "DealStageChange",
    "ForecastSnapshot",
    "Lead",
    "LeadEvent",
    "LostReason",
    "Pipeline",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductCategory",
    "Quota",
    "Quote",
    "QuoteLine",
    "QuoteSequence",
    "QuoteTemplate",
    "SalesRepSettings",
    "ScoreSettings",
    "ScoringRule",
    "Stage",
    "WebForm",
    "WebFormSubmission",
]
