"""One FilterSet per model, shared by the list pages, the API and the CSV export."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.core.filters import FilterSet
from relasi.customers.choices import Source
from relasi.sales.choices import (
    DealStatus,
    ForecastCategory,
    LeadStatus,
    PriceListKind,
    QuoteStatus,
)
from relasi.sales.models import (
    Deal,
    Lead,
    Pipeline,
    PriceList,
    Product,
    ProductCategory,
    Quote,
    Stage,
)


class _UserScoped(FilterSet):
    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = getattr(request, "user", None)

    def limit_to_user(self, user: Any) -> None:
        self.user = user
        if "owner" in self.filters:
            self.filters["owner"].queryset = User.objects.filter(is_active=True)


class LeadFilterSet(_UserScoped):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=LeadStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.all())
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    province = django_filters.CharFilter(label=_("Province"), lookup_expr="iexact")
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    min_score = django_filters.NumberFilter(
        label=_("Score at least"), field_name="score", lookup_expr="gte"
    )
    product_interest = django_filters.ModelChoiceFilter(
        label=_("Product interest"), queryset=Product.objects.all()
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(company__icontains=value)
            | Q(email__iexact=value)
            | Q(phone__endswith=value.lstrip("0"))
        )


class DealFilterSet(_UserScoped):
    q = django_filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    pipeline = django_filters.ModelChoiceFilter(
        label=_("Pipeline"), queryset=Pipeline.objects.all()
    )
    stage = django_filters.ModelChoiceFilter(
        label=_("Stage"), queryset=Stage.objects.select_related("pipeline")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DealStatus.choices)
    forecast_category = django_filters.ChoiceFilter(
        label=_("Forecast category"), choices=ForecastCategory.choices
    )
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.all())
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    close_after = django_filters.DateFilter(
        label=_("Closing from"),
        field_name="expected_close_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    close_before = django_filters.DateFilter(
        label=_("Closing until"),
        field_name="expected_close_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    customer = django_filters.NumberFilter(label=_("Customer number"), method="filter_customer")

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_customer(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(Q(customer_id=value) | Q(organization_id=value))


class ProductFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=ProductCategory.objects.all()
    )
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return (
            queryset.filter(Q(name__icontains=value) | Q(sku__istartswith=value))
            if value.strip()
            else queryset
        )


class PriceListFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PriceListKind.choices)
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = PriceList
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class QuoteFilterSet(_UserScoped):
    q = django_filters.CharFilter(label=_("Number"), field_name="number", lookup_expr="istartswith")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=QuoteStatus.choices)
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.all())
    current = django_filters.BooleanFilter(
        label=_("Newest revisions only"), method="filter_current"
    )

    class Meta:
        model = Quote
        fields: list[str] = []

    def filter_current(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.exclude(status=QuoteStatus.SUPERSEDED) if value else queryset
