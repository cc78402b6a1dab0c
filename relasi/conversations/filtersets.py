"""One FilterSet for conversations: the inbox page and the API list share it."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.conversations.choices import (
    ACTIVE_STATUSES,
    ChannelKind,
    ConversationStatus,
    Sentiment,
)
from relasi.conversations.models import Conversation, Inbox
from relasi.core.filters import FilterSet

ASSIGNEE_CHOICES = [("me", _("Mine")), ("none", _("Unassigned")), ("any", _("Anyone"))]
STATUS_CHOICES = [("active", _("All active")), *ConversationStatus.choices, ("all", _("All"))]


class ConversationFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        method="by_status", choices=STATUS_CHOICES, label=_("Status"), empty_label=None
    )
    channel = django_filters.ChoiceFilter(
        choices=ChannelKind.choices, label=_("Channel"), empty_label=_("All channels")
    )
    inbox = django_filters.ModelChoiceFilter(
        queryset=Inbox.objects.all(), label=_("Inbox"), empty_label=_("All inboxes")
    )
    assignee = django_filters.ChoiceFilter(
        method="by_assignee", choices=ASSIGNEE_CHOICES, label=_("Assigned to"), empty_label=None
    )
    team = django_filters.NumberFilter(field_name="team_id", label=_("Team"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer"))
    sentiment = django_filters.ChoiceFilter(
        choices=Sentiment.choices, label=_("Sentiment"), empty_label=_("Any sentiment")
    )
    waiting = django_filters.BooleanFilter(method="by_waiting", label=_("Waiting on us"))
    breached = django_filters.BooleanFilter(method="by_breached", label=_("SLA breached"))

    class Meta:
        model = Conversation
        fields = ["q", "status", "channel", "inbox", "assignee", "team", "customer", "sentiment"]

    def __init__(self, data: Any = None, *args: Any, user: Any = None, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = "active"
        if not data.get("assignee"):
            data["assignee"] = "any"
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["inbox"].queryset = Inbox.objects.filter(active=True)  # type: ignore[attr-defined]
        for name in ("status", "channel", "inbox", "assignee", "sentiment"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(contact_name__icontains=value)
            | Q(contact_address__icontains=value)
            | Q(subject__icontains=value)
            | Q(preview__icontains=value)
        )

    def by_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "active":
            return qs.filter(status__in=ACTIVE_STATUSES)
        if value == "all":
            return qs
        return qs.filter(status=value)

    def by_assignee(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "me" and self.user is not None:
            return qs.filter(owner=self.user)
        if value == "none":
            return qs.filter(owner__isnull=True)
        return qs

    def by_waiting(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.waiting_on_us() if value else qs.filter(waiting_since__isnull=True)  # type: ignore[attr-defined]

    def by_breached(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return qs
        return qs.sla_breached(timezone.now())  # type: ignore[attr-defined]
