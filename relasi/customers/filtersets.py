"""One FilterSet for customers, shared by the list pages, the API and CSV export."""

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.core.filters import FilterSet
from relasi.core.models import Tag
from relasi.customers.choices import Channel, CustomerType, Lifecycle, Source
from relasi.customers.models import Customer, Group

# The consent filter: a status of (purpose, channel) in the privacy app's consent ledger, or
# "contactable": what the privacy gate would let through now (relasi/privacy/gate.py).
CONSENT_CHOICES = [
    ("granted", _("Granted")),
    ("withdrawn", _("Withdrawn")),
    ("pending", _("Awaiting confirmation")),
    ("none", _("Not recorded")),
    ("contactable", _("May be contacted now")),
]
_LEGACY_CONSENT = {"opted_in": "granted", "opted_out": "withdrawn"}  # wave-1 "email:opted_in"


def parse_consent(value: str) -> tuple[str | None, str | None, str] | None:
    """(purpose, channel, status) of a consent filter value; None when it is not one.
    "granted" (purpose and channel from their own filters), "email:opted_in" (wave 1),
    "marketing:email:granted"."""
    parts = value.split(":")
    purpose = channel = None
    if len(parts) == 2:
        channel, status = parts[0], _LEGACY_CONSENT.get(parts[1], parts[1])
    elif len(parts) == 3:
        purpose, channel, status = parts
    elif len(parts) == 1:
        status = parts[0]
    else:
        return None
    if status not in {c for c, _l in CONSENT_CHOICES}:
        return None
    if channel is not None and channel not in Channel.values:
        return None
    return purpose, channel, status


class ConsentField(django_filters.fields.ChoiceField):
    """django-filter's choice field (with its empty "---------" choice, so nothing is chosen
    by default) that also accepts the colon forms parse_consent reads."""

    def valid_value(self, value: Any) -> bool:
        return parse_consent(str(value)) is not None


class ConsentFilter(django_filters.ChoiceFilter):
    field_class = ConsentField


# `?segment=<id>`: the marketing app (above customers) registers how a segment narrows the list
# and which segments a user may pick; without it the filter does nothing.
_SEGMENTS: list[tuple[Callable[[Any, QuerySet, Any], QuerySet], Callable[[Any], list]]] = []


def register_segment_filter(
    narrow: Callable[[Any, QuerySet, Any], QuerySet], choices: Callable[[Any], list]
) -> None:
    _SEGMENTS[:] = [(narrow, choices)]


def _purposes() -> list[tuple[str, str]]:
    from relasi.privacy.models import Purpose

    return [(p.key, p.label) for p in Purpose.objects.filter(active=True)]


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
    consent = ConsentFilter(label=_("Consent"), choices=CONSENT_CHOICES, method="filter_consent")
    consent_purpose = django_filters.ChoiceFilter(
        label=_("Consent for"), choices=_purposes, method="filter_noop", empty_label=None
    )
    consent_channel = django_filters.ChoiceFilter(
        label=_("Consent on"), choices=Channel.choices, method="filter_noop", empty_label=None
    )
    is_blacklisted = django_filters.BooleanFilter(label=_("Blacklisted"))
    segment = django_filters.ChoiceFilter(label=_("Segment"), choices=[], method="filter_segment")

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = getattr(request, "user", None)
        # Read once per filterset: the select asks for its first choice (`required`) and then
        # for all of them, and filter_consent checks the value against them again. A plain
        # function, not a bound method: the form deep-copies its fields' choices, and copying
        # a method copies the whole filterset with it.
        read: list[list[tuple[str, str]]] = []

        def purposes() -> list[tuple[str, str]]:
            if not read:
                read.append(_purposes())
            return read[0]

        self.purposes = purposes
        self.filters["consent_purpose"].extra["choices"] = purposes

    def limit_to_user(self, user: Any) -> None:
        from relasi.core.access import visible_to

        self.user = user
        # The choices show names only (what __str__ reads); the rest of the rows, e.g. 20
        # columns per user, was most of reading them.
        self.filters["group"].queryset = visible_to(user, Group.objects.all()).only("name")
        self.filters["owner"].queryset = User.objects.filter(is_active=True).only(
            "first_name", "last_name", "username"
        )
        if _SEGMENTS:
            self.filters["segment"].extra["choices"] = lambda: _SEGMENTS[0][1](user)

    def filter_segment(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value or not _SEGMENTS:
            return queryset
        return _SEGMENTS[0][0](self.user, queryset, value)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value or self.user is None:
            return queryset
        from relasi.customers.search import visible_search

        return visible_search(self.user, value, queryset)

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # read by filter_consent

    def filter_consent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from relasi.privacy import gate
        from relasi.privacy.models import ConsentState

        parsed = parse_consent(value)
        if parsed is None:
            return queryset
        purpose, channel, status = parsed
        data = self.form.cleaned_data
        purpose = purpose or data.get("consent_purpose") or "marketing"
        channel = channel or data.get("consent_channel") or Channel.EMAIL
        if purpose not in {key for key, _l in self.purposes()}:
            return queryset.none()
        if status == "contactable":
            return queryset.filter(pk__in=gate.filter_contactable(channel, purpose))
        states = ConsentState.objects.filter(purpose__key=purpose, channel=channel)
        if status == "none":
            return queryset.exclude(pk__in=states.values("customer_id"))
        return queryset.filter(pk__in=states.filter(status=status).values("customer_id"))
