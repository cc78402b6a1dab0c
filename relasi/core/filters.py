"""The base of every FilterSet (list pages, the API and CSV export share one per model).

Number filters only accept what the database can compare: a 64-bit integer (SQLite raises
OverflowError and PostgreSQL "out of range" beyond it, which used to answer 500), and whole
numbers when the filtered column is an integer or a foreign key. A value outside that is a
form error: the API answers 422 naming the filter, the list page ignores the filter."""

import copy
from typing import Any

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import models

INT64_MAX = 2**63 - 1


def _is_integer(model: type[models.Model] | None, path: str | None) -> bool:
    if model is None or not path:
        return False
    field: Any = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        return True
    return isinstance(field, models.IntegerField | models.AutoField)


def bound_number_filters(filterset: django_filters.FilterSet) -> None:
    """Give every NumberFilter of a FilterSet instance the database's integer range."""
    model = filterset.queryset.model
    for filter_ in filterset.filters.values():
        if isinstance(filter_, django_filters.NumberFilter):
            filter_.extra.setdefault("max_value", INT64_MAX)
            filter_.extra.setdefault("min_value", -INT64_MAX - 1)
            target = filter_.field_name or ""
            if _is_integer(model, target) or target.endswith("_id"):
                filter_.extra.setdefault("decimal_places", 0)
            filter_.__dict__.pop("_field", None)  # rebuilt with the bounds


class FilterSet(django_filters.FilterSet):
    """Use instead of `django_filters.FilterSet` (every Relasi FilterSet does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_number_filters(self)

    def get_form_class(self) -> type:
        form_class = super().get_form_class()
        own = {id(f.field) for f in self.filters.values()}
        form_class.base_fields = _OwnFields(form_class.base_fields, own)  # type: ignore[attr-defined]
        return form_class


class _OwnFields(dict):
    """The fields of a filterset's form class. A form deep-copies its class's fields so that two
    forms never share one; django-filter builds this class, and the fields of its filters,
    for one filterset instance, so those are copied no more (the copy was a fifth of building
    the people list's filters, issue 19). Fields the class shares (a Meta.form's own) still are."""

    def __init__(self, fields: dict[str, Any], own: set[int]) -> None:
        super().__init__(fields)
        self.own = own

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {
            name: field if id(field) in self.own else copy.deepcopy(field, memo)
            for name, field in self.items()
        }
