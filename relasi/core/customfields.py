"""Administrator-defined custom fields: form fields, validation, filters and export columns.

Definitions live in `CustomField`; values live in the record's `custom` JSON. The same
`clean_value` validates input from forms, the API and imports.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from relasi.core.choices import CustomFieldType as T
from relasi.core.models import CustomField

PREFIX = "cf_"


def model_label(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def definitions(model: type[models.Model] | models.Model) -> list[CustomField]:
    return list(CustomField.objects.filter(model_label=model_label(model), active=True))


def _choice_pairs(cf: CustomField) -> list[tuple[str, str]]:
    return [(str(c), str(c)) for c in cf.choices]


def form_field(cf: CustomField) -> forms.Field:
    common: dict[str, Any] = {
        "label": cf.display_label,
        "required": cf.required and cf.field_type != T.BOOLEAN,
        "help_text": cf.help_text,
    }
    match cf.field_type:
        case T.NUMBER:
            return forms.IntegerField(**common)
        case T.DECIMAL:
            return forms.DecimalField(max_digits=18, decimal_places=4, **common)
        case T.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case T.BOOLEAN:
            return forms.BooleanField(**common)
        case T.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *_choice_pairs(cf)], **common)
        case T.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                choices=_choice_pairs(cf), widget=forms.CheckboxSelectMultiple, **common
            )
    return forms.CharField(max_length=500, **common)


def clean_value(cf: CustomField, value: Any) -> Any:
    """Validate and normalise one value to its JSON form; raise ValidationError."""
    if value in (None, "", []):
        if cf.required and cf.field_type != T.BOOLEAN:
            raise ValidationError(_("This field is required."))
        return False if cf.field_type == T.BOOLEAN else None
    try:
        match cf.field_type:
            case T.NUMBER:
                if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                    raise ValueError
                return int(value)
            case T.DECIMAL:
                number = Decimal(str(value))
                if not number.is_finite():
                    raise ValueError
                return str(number)
            case T.DATE:
                if isinstance(value, dt.date):
                    return value.isoformat()
                return dt.date.fromisoformat(str(value)).isoformat()
            case T.BOOLEAN:
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text in ("1", "true", "yes", "ya", "y", "on"):
                    return True
                if text in ("0", "false", "no", "tidak", "n", "off"):
                    return False
                raise ValueError
            case T.CHOICE:
                if str(value) not in [str(c) for c in cf.choices]:
                    raise ValueError
                return str(value)
            case T.MULTI_CHOICE:
                items = value if isinstance(value, list) else [value]
                allowed = {str(c) for c in cf.choices}
                if any(str(i) not in allowed for i in items):
                    raise ValueError
                return [str(i) for i in items]
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise ValidationError(
            _("Enter a valid value for %(field)s.") % {"field": cf.display_label}
        ) from exc
    text = str(value)
    if len(text) > 500:
        raise ValidationError(_("At most 500 characters."))
    return text


def clean_values(
    model: type[models.Model], data: dict[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Validate a dict of custom values (API / import); unknown keys are an error."""
    defs = {cf.key: cf for cf in definitions(model)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in defs:
            errors[key] = [_("Unknown custom field.")]
    for key, cf in defs.items():
        if partial and key not in data:
            continue
        try:
            cleaned[key] = clean_value(cf, data.get(key))
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


class CustomFieldFormMixin:
    """Adds a form field per active custom field and stores the values in `instance.custom`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        current = (getattr(instance, "custom", None) or {}) if instance is not None else {}
        self.custom_definitions = definitions(self._meta.model)  # type: ignore[attr-defined]
        for cf in self.custom_definitions:
            field = form_field(cf)
            value = current.get(cf.key)
            if cf.field_type == T.DATE and value:
                value = dt.date.fromisoformat(value)
            field.initial = value
            self.fields[PREFIX + cf.key] = field  # type: ignore[attr-defined]

    def custom_values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for cf in self.custom_definitions:
            raw = self.cleaned_data.get(PREFIX + cf.key)  # type: ignore[attr-defined]
            try:
                result[cf.key] = clean_value(cf, raw)
            except ValidationError as exc:
                self.add_error(PREFIX + cf.key, exc)  # type: ignore[attr-defined]
        return result


def add_filters(
    filterset: django_filters.FilterSet,
    model: type[models.Model],
    custom: list[CustomField] | None = None,
) -> None:
    """Add a list filter per custom field to a FilterSet instance (`custom`: the definitions,
    when the caller has read them already)."""
    for cf in definitions(model) if custom is None else custom:
        name = PREFIX + cf.key
        lookup = f"custom__{cf.key}"
        label = cf.display_label
        match cf.field_type:
            case T.BOOLEAN:
                flt: django_filters.Filter = django_filters.BooleanFilter(
                    field_name=lookup, label=label
                )
            case T.CHOICE:
                flt = django_filters.ChoiceFilter(
                    field_name=lookup, label=label, choices=_choice_pairs(cf)
                )
            case T.MULTI_CHOICE:
                flt = django_filters.CharFilter(
                    field_name=lookup, label=label, method=_multi_choice_filter(cf.key)
                )
            case T.NUMBER:
                # JSON lookups cannot take a Decimal (what NumberFilter yields): compare ints.
                flt = django_filters.NumberFilter(
                    field_name=lookup, label=label, method=_number_filter(cf.key)
                )
            case T.DECIMAL:
                # stored as the decimal's text (clean_value), so compare the same text
                flt = django_filters.CharFilter(
                    field_name=lookup, label=label, method=_decimal_filter(cf.key)
                )
            case T.DATE:
                flt = django_filters.CharFilter(
                    field_name=lookup, label=label, lookup_expr="startswith"
                )
            case _:
                flt = django_filters.CharFilter(
                    field_name=lookup, label=label, lookup_expr="icontains"
                )
        filterset.filters[name] = flt
        filterset.base_filters = {**filterset.base_filters}  # keep class-level filters untouched
    from relasi.core.filters import bound_number_filters

    bound_number_filters(filterset)


def _number_filter(key: str) -> Any:
    def method(queryset: models.QuerySet, name: str, value: Decimal | None) -> models.QuerySet:
        if value is None:
            return queryset
        if value != value.to_integral_value():
            return queryset.none()
        return queryset.filter(**{f"custom__{key}": int(value)})

    return method


def _decimal_filter(key: str) -> Any:
    def method(queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        try:
            number = Decimal(value.strip())
        except (InvalidOperation, AttributeError):
            return queryset.none()
        return (
            queryset.filter(**{f"custom__{key}": str(number)})
            if number.is_finite()
            else queryset.none()
        )

    return method


def _multi_choice_filter(key: str) -> Any:
    def method(queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        # JSON arrays are matched as text ('"value"') so the same lookup works on SQLite and PG.
        return queryset.filter(**{f"custom__{key}__icontains": f'"{value}"'}) if value else queryset

    return method


def display(cf: CustomField, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if cf.field_type == T.BOOLEAN:
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
