"""Money and quantity inputs that always fit their column (issue #19).

Every decimal a user or a client types is checked against the model field it is stored in:
its `decimal_places`, and its `max_digits` capped at `SAFE_DIGITS`. The cap exists because
SQLite stores decimals as 8-byte floats (and JSON clients such as browsers parse numbers as
doubles): beyond 15 significant digits a stored amount reads back as a different, longer
number, which Django then refuses to load — one bad row made a whole order list fail.

The same `Limit` serves the three entry points: ninja schemas (`Annotated[Decimal, column(Model,
"field")]`, whose bounds appear in the OpenAPI document), Django forms (`LimitedDecimalsMixin`) and
actions that compute totals from validated parts (`Limit.check`, e.g. quantity × price)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from pydantic import Field

SAFE_DIGITS = 15


@dataclass(frozen=True)
class Limit:
    """The digits a decimal column can hold safely on every supported database."""

    max_digits: int
    decimal_places: int

    @property
    def largest(self) -> Decimal:
        places = Decimal(1).scaleb(-self.decimal_places)
        return Decimal(10) ** (self.max_digits - self.decimal_places) - places

    def fits(self, value: Any) -> bool:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return False
        return number.is_finite() and abs(number) <= self.largest

    def check(self, value: Any, field: str, label: Any = None) -> None:
        """Raise a ValidationError on `field` when `value` (computed or typed) is too large."""
        if not self.fits(value):
            raise ValidationError({field: [self.message(label)]})

    def message(self, label: Any = None) -> str:
        largest = f"{self.largest:,}"
        if label:
            return _("%(label)s is too large: at most %(largest)s.") % {
                "label": label,
                "largest": largest,
            }
        return _("Too large: at most %(largest)s.") % {"largest": largest}


def limit_of(model: type[models.Model], name: str) -> Limit:
    field = model._meta.get_field(name)
    if not isinstance(field, models.DecimalField):
        raise TypeError(f"{model.__name__}.{name} is not a DecimalField")
    places = field.decimal_places or 0
    return Limit(min(field.max_digits or SAFE_DIGITS, SAFE_DIGITS), places)


def column(model: type[models.Model], name: str, **constraints: Any) -> Any:
    """Pydantic constraints for a schema `Decimal` that must fit `model.name`:
    `quantity: Annotated[Decimal, column(OrderLine, "quantity", gt=0)] = Decimal(1)`.
    Extra constraints (ge, gt, le, description) are kept; the column's bound is added to them
    and shows in the OpenAPI document."""
    limit = limit_of(model, name)
    constraints.setdefault("le", limit.largest)
    if "gt" not in constraints:
        constraints.setdefault("ge", -limit.largest)
    return Field(decimal_places=limit.decimal_places, **constraints)


class LimitedDecimalsMixin:
    """For ModelForms: every DecimalField of the form that is a model column also gets the
    column's safe bound (Django's own check only knows max_digits, not the float cap)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            try:
                limit = limit_of(model, name)
            except (TypeError, FieldDoesNotExist):
                continue
            limit_form_field(field, limit)


def limit_form_field(field: forms.Field, limit: Limit) -> None:
    """Tighten one forms.DecimalField to `limit` (also usable on plain forms)."""
    if not isinstance(field, forms.DecimalField):
        return
    field.validators.append(validators.MaxValueValidator(limit.largest))
    field.validators.append(validators.MinValueValidator(-limit.largest))
    field.widget.attrs.setdefault("max", str(limit.largest))
