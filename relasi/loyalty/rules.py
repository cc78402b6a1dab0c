"""The programme's arithmetic, with no database writes: points an order earns, the rupiah a
number of points pays for, the best redemption for a basket, when earned points expire."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from relasi.loyalty.choices import ExpiryMode, Rounding, RuleKind
from relasi.loyalty.models import EarnRule, Programme

_ROUNDING = {
    Rounding.DOWN: ROUND_FLOOR,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.UP: ROUND_CEILING,
}


@dataclass(frozen=True)
class Line:
    """What a rule needs of an order line: its net amount (after returns) and product."""

    amount: Decimal
    product_id: int | None = None
    category_id: int | None = None


@dataclass
class Quote:
    points: int
    base_points: int
    spend: Decimal
    multiplier: Decimal
    bonus: int
    reasons: list[str]


class RuleBook:
    """A programme's active rules, loaded once and applied to many orders (the back-fill)."""

    def __init__(self, programme: Programme, rules: Iterable[EarnRule] | None = None) -> None:
        self.programme = programme
        self.rules = list(
            rules
            if rules is not None
            else EarnRule.objects.filter(programme=programme, active=True)
        )

    def _live(self, rule: EarnRule, day: dt.date) -> bool:
        return (rule.starts_on is None or rule.starts_on <= day) and (
            rule.ends_on is None or day <= rule.ends_on
        )

    def line_multiplier(self, line: Line, day: dt.date) -> Decimal:
        best = Decimal(1)
        found = False
        for rule in self.rules:
            if not self._live(rule, day):
                continue
            hit = (rule.kind == RuleKind.PRODUCT and rule.product_id == line.product_id) or (
                rule.kind == RuleKind.CATEGORY
                and line.category_id is not None
                and rule.category_id == line.category_id
            )
            if hit and (not found or rule.multiplier > best):
                best, found = rule.multiplier, True
        return best

    def order_multiplier(self, day: dt.date, birthday_month: bool) -> tuple[Decimal, list[str]]:
        factor, reasons = Decimal(1), []
        for rule in self.rules:
            if rule.kind == RuleKind.ORDER and self._live(rule, day):
                factor *= rule.multiplier
                reasons.append(rule.name)
        if birthday_month and self.programme.birthday_multiplier != 1:
            factor *= self.programme.birthday_multiplier
            reasons.append("birthday")
        return factor, reasons

    def quote(
        self,
        lines: Iterable[Line],
        day: dt.date,
        *,
        birthday_month: bool = False,
        first: bool = False,
    ) -> Quote:
        """Points for an order: Σ line amount × line multiplier, × order multipliers, divided
        by the earn step and rounded once; plus the first-purchase bonus."""
        p = self.programme
        spend = Decimal(0)
        weighted = Decimal(0)
        for line in lines:
            if line.amount <= 0:
                continue
            spend += line.amount
            weighted += line.amount * self.line_multiplier(line, day)
        factor, reasons = self.order_multiplier(day, birthday_month)
        raw = weighted * factor / p.earn_spend * p.earn_points
        base = int(raw.quantize(Decimal(1), rounding=_ROUNDING[Rounding(p.rounding)]))
        bonus = p.first_purchase_bonus if first and base > 0 else 0
        if bonus:
            reasons.append("first purchase")
        return Quote(base + bonus, base, spend, factor, bonus, reasons)


def value_of(programme: Programme, points: int) -> Decimal:
    return Decimal(points) * programme.point_value


def best_redemption(programme: Programme, balance: int, order_total: Decimal) -> int:
    """The most points the member may spend on an order of `order_total`: within the balance
    and the programme's cap, whole rupiah, and at least the minimum (else 0)."""
    if programme.point_value <= 0 or order_total <= 0:
        return 0
    cap = order_total * Decimal(programme.max_redeem_percent) / 100
    by_cap = int((cap / programme.point_value).to_integral_value(rounding=ROUND_FLOOR))
    points = min(balance, by_cap)
    return points if points >= programme.min_redemption else 0


def expiry_for(programme: Programme, at: dt.datetime) -> dt.datetime | None:
    """When points earned at `at` expire (None: never)."""
    if programme.expiry_mode == ExpiryMode.NEVER:
        return None
    local = timezone.localtime(at) if timezone.is_aware(at) else at
    if programme.expiry_mode == ExpiryMode.END_OF_YEAR:
        end = dt.datetime(local.year + 1, 1, 1)
    else:
        months = local.month - 1 + programme.expiry_months
        year, month = local.year + months // 12, months % 12 + 1
        day = min(local.day, _month_days(year, month))
        end = dt.datetime(year, month, day) + dt.timedelta(days=1)
    return timezone.make_aware(end) if timezone.is_naive(end) else end


def _month_days(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def lines_of(order: Any) -> list[Line]:
    """An order's lines net of what was returned, with each product's category."""
    from django.db.models import Sum

    returned = dict(
        order.lines.filter(returns__isnull=False)
        .values("pk")
        .annotate(r=Sum("returns__amount"))
        .values_list("pk", "r")
    )
    return [
        Line(ln.line_total - (returned.get(ln.pk) or Decimal(0)), ln.product_id, cat)
        for ln, cat in (
            (ln, ln.product.category_id if ln.product_id else None)
            for ln in order.lines.select_related("product")
        )
    ]
