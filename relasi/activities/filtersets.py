"""One FilterSet per model, shared by the list pages, the API and CSV export."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.activities.choices import (
    CallOutcome,
    Confirmation,
    DueState,
    Kind,
    Priority,
    Status,
    VisitOutcome,
)
from relasi.activities.geo import ALERT_DISTANCE_M
from relasi.activities.models import Activity, Visit
from relasi.activities.selectors import state_q
from relasi.core.filters import FilterSet


class ActivityFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(
        label=_("Due"), choices=DueState.choices, method="filter_state"
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = django_filters.MultipleChoiceFilter(
        label=_("Type"), choices=Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    outcome = django_filters.ChoiceFilter(label=_("Call outcome"), choices=CallOutcome.choices)
    confirmation = django_filters.ChoiceFilter(
        label=_("Confirmation"), choices=Confirmation.choices
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), queryset=User.objects.filter(is_active=True)
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    customer = django_filters.NumberFilter(label=_("Customer number"), field_name="customer_id")
    due_after = django_filters.DateFilter(
        label=_("Due from"), field_name="due_at", lookup_expr="date__gte"
    )
    due_before = django_filters.DateFilter(
        label=_("Due until"), field_name="due_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(state_q(value)) if value else queryset


class VisitFilterSet(FilterSet):
    owner = django_filters.ModelChoiceFilter(
        label=_("Rep"), queryset=User.objects.filter(is_active=True)
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    customer = django_filters.NumberFilter(label=_("Customer number"), field_name="customer_id")
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="checked_in_at", lookup_expr="date__gte"
    )
    date_to = django_filters.DateFilter(
        label=_("Until"), field_name="checked_in_at", lookup_expr="date__lte"
    )
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=VisitOutcome.choices)
    open = django_filters.BooleanFilter(
        label=_("Still on site"), field_name="checked_out_at", lookup_expr="isnull"
    )
    anomaly = django_filters.BooleanFilter(label=_("Far from the address"), method="filter_anomaly")

    class Meta:
        model = Visit
        fields: list[str] = []

    def filter_anomaly(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        far = Q(in_distance_m__gt=ALERT_DISTANCE_M) | Q(out_distance_m__gt=ALERT_DISTANCE_M)
        if value is None:
            return queryset
        return queryset.filter(far) if value else queryset.exclude(far)
