"""One FilterSet for tickets, shared by the list pages, the API and CSV export."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.core.filters import FilterSet
from relasi.core.models import Tag
from relasi.service.choices import ACTIVE, Channel, Priority, RootCause, Status
from relasi.service.models import Category, Queue, Ticket, TicketType

SLA_CHOICES = [
    ("at_risk", _("Near or past a target")),
    ("breached", _("Breached")),
    ("ok", _("On track")),
]
ASSIGNED_CHOICES = [("me", _("Assigned to me")), ("none", _("Unassigned"))]


class TicketFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    open = django_filters.BooleanFilter(label=_("Still open"), method="filter_open")
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    ticket_type = django_filters.ModelChoiceFilter(
        label=_("Type"), queryset=TicketType.objects.all()
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all()
    )
    queue = django_filters.ModelChoiceFilter(label=_("Queue"), queryset=Queue.objects.all())
    assigned = django_filters.ChoiceFilter(
        label=_("Assignee"), choices=ASSIGNED_CHOICES, method="filter_assigned"
    )
    owner = django_filters.ModelChoiceFilter(label=_("Assigned to"), queryset=User.objects.all())
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    sla = django_filters.ChoiceFilter(label=_("SLA"), choices=SLA_CHOICES, method="filter_sla")
    root_cause = django_filters.ChoiceFilter(label=_("Root cause"), choices=RootCause.choices)
    customer = django_filters.NumberFilter(label=_("Customer number"), field_name="customer_id")
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=Tag.objects.all()
    )
    created_after = django_filters.DateFilter(
        label=_("Opened from"), field_name="created_at", lookup_expr="date__gte"
    )
    created_before = django_filters.DateFilter(
        label=_("Opened until"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = getattr(request, "user", None)

    def limit_to_user(self, user: Any) -> None:
        self.user = user
        self.filters["owner"].queryset = User.objects.filter(is_active=True)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from relasi.service.search import filter_tickets

        return filter_tickets(queryset, value) if value else queryset

    def filter_open(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(status__in=ACTIVE) if value else queryset.exclude(status__in=ACTIVE)

    def filter_assigned(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "me" and self.user is not None:
            return queryset.filter(owner=self.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset

    def filter_sla(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        breached = Q(first_response_breached=True) | Q(resolution_breached=True)
        running = queryset.filter(status__in=ACTIVE).exclude(status=Status.PENDING)
        if value == "breached":
            return queryset.filter(breached)
        if value == "at_risk":
            return running.filter(
                Q(first_responded_at__isnull=True, first_response_warn_at__lte=now)
                | Q(resolved_at__isnull=True, resolution_warn_at__lte=now)
            )
        if value == "ok":
            return queryset.exclude(breached)
        return queryset
