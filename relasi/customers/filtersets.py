"""One FilterSet for customers, shared by the list pages, the API and CSV export."""

from typing import Any

import django_filters
from django import forms
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.core.filters import FilterSet
from relasi.core.models import Tag
from relasi.customers.choices import Channel, ConsentStatus, CustomerType, Lifecycle, Source
from relasi.customers.models import ContactPermission, Customer, Group

CONSENT_CHOICES = [
    (f"{ch}:{st}", format_lazy("{}: {}", ch_label, st_label))  # translated when rendered
    for ch, ch_label in Channel.choices
    for st, st_label in ConsentStatus.choices
]


class CustomerFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    lifecycle_stage = django_filters.MultipleChoiceFilter(
        label=_("Lifecycle stage"), choices=Lifecycle.choices, widget=forms.CheckboxSelectMultiple
    )
    customer_type = django_filters.ChoiceFilter(label=_("Type"), choices=CustomerType.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=Tag.objects.all()
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Group"), field_name="groups", queryset=Group.objects.all()
    )
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=User.objects.all())
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    province = django_filters.CharFilter(label=_("Province"), lookup_expr="iexact")
    created_after = django_filters.DateFilter(
        label=_("Created from"), field_name="created_at", lookup_expr="date__gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Created until"), field_name="created_at", lookup_expr="date__lte"
    )
    consent = django_filters.ChoiceFilter(
        label=_("Contact permission"), choices=CONSENT_CHOICES, method="filter_consent"
    )
    is_blacklisted = django_filters.BooleanFilter(label=_("Blacklisted"))

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = getattr(request, "user", None)

    def limit_to_user(self, user: Any) -> None:
        from relasi.core.access import visible_to

        self.user = user
        self.filters["group"].queryset = visible_to(user, Group.objects.all())
        self.filters["owner"].queryset = User.objects.filter(is_active=True)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value or self.user is None:
            return queryset
        from relasi.customers.search import visible_search

        return visible_search(self.user, value, queryset)

    def filter_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        channel, _sep, status = value.partition(":")
        latest = ContactPermission.objects.filter(
            customer=OuterRef("pk"), channel=channel
        ).order_by("-captured_at", "-id")
        return queryset.annotate(_consent=Subquery(latest.values("status")[:1])).filter(
            _consent=status
        )
