"""Rounding money the way each currency is written (IDR in whole rupiah)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from relasi.core.formatting import WHOLE_CURRENCIES
from relasi.core.numbers import SAFE_DIGITS, Limit

# The line and total columns of deals and quotes: DecimalField(max_digits=18, decimal_places=2).
LINE_LIMIT = Limit(SAFE_DIGITS, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1) if (currency or "").upper() in WHOLE_CURRENCIES else Decimal("0.01")


def round_money(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def line_amounts(
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    tax_rate: Decimal,
    currency: str,
) -> dict[str, Decimal]:
    """Subtotal, discount, tax and total of one line, each rounded to the currency."""
    gross = round_money(Decimal(quantity) * Decimal(unit_price), currency)
    discount = round_money(gross * Decimal(discount_percent) / 100, currency)
    net = gross - discount
    tax = round_money(net * Decimal(tax_rate) / 100, currency)
    if not (LINE_LIMIT.fits(gross) and LINE_LIMIT.fits(net + tax)):
        raise ValidationError({"lines": [LINE_LIMIT.message(_("A line total"))]})
    return {"subtotal": gross, "discount": discount, "net": net, "tax": tax, "total": net + tax}
