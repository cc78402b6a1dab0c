"""Value figures on the 360° header. The analytics app registers the real providers; until then
every figure is None and the page shows "—" (never a made-up number)."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

FIGURES: list[tuple[str, Any]] = [
    ("lifetime_revenue", _("Lifetime revenue")),
    ("orders", _("Orders")),
    ("last_purchase", _("Last purchase")),
    ("rfm_segment", _("RFM segment")),
    ("clv", _("Customer lifetime value")),
    ("p_alive", _("P(alive)")),
    ("churn_risk", _("Churn risk")),
]
_providers: dict[str, Callable[[Any], Any]] = {}


def register(key: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def wrap(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _providers[key] = fn
        return fn

    return wrap


def figures(customer: Any) -> list[tuple[Any, Any]]:
    return [
        (label, _providers[key](customer) if key in _providers else None) for key, label in FIGURES
    ]
