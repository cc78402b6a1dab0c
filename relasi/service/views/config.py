"""Service configuration pages, each a few declarative lines on the generic viewsets.

Ticket types, categories, queues, routing rules, business hours, holidays, SLA policies and
escalation rules belong to administrators (module "admin"); canned replies and dialogue scripts
to the service team (module "service")."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_safe

from relasi.core import views as v
from relasi.core.viewsets import DELETE, Column, RecordViewSet
from relasi.service import businesstime as bt
from relasi.service import forms as f
from relasi.service.forms import WEEKDAYS, format_day
from relasi.service.models import (
    BusinessHours,
    CannedReply,
    Category,
    DialogueScript,
    EscalationRule,
    Holiday,
    Queue,
    RoutingRule,
    SLAPolicy,
    TicketType,
)


class _Unscoped:
    """Fetch without the owner/team filter: configuration rows have no owner, and
    core's get_object applies record visibility even to unscoped viewsets (a FieldError for
    team- or subordinate-scoped roles)."""

    viewset: RecordViewSet
    kwargs: dict[str, Any]
    request: Any

    def get_object(self) -> Any:
        found = self.viewset.queryset_for(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found


class UnscopedDetail(_Unscoped, v.ObjectDetailView):
    pass


class UnscopedEdit(_Unscoped, v.ObjectEditView):
    pass


class UnscopedDelete(_Unscoped, v.ObjectDeleteView):
    pass


class ConfigViewSet(RecordViewSet):
    module = "admin"
    scoped = False
    bulk_actions = [DELETE]
    detail_template = "service/config_detail.html"
    default_order = "pk"

    def urls(self, prefix: str) -> list[URLPattern]:
        replace = {
            f"{self.url_name}_detail": UnscopedDetail,
            f"{self.url_name}_edit": UnscopedEdit,
            f"{self.url_name}_delete": UnscopedDelete,
        }
        patterns = []
        for pattern in super().urls(prefix):
            view = replace.get(pattern.name or "")
            if view is not None:
                pattern = path(str(pattern.pattern), view.as_view(viewset=self), name=pattern.name)
            patterns.append(pattern)
        return patterns


def _minutes(field: str) -> Any:
    def get(obj: Any) -> str:
        return bt.format_duration(getattr(obj, field))

    return get


class TicketTypeViewSet(ConfigViewSet):
    model = TicketType
    url_name = "tickettype"
    form_class = f.TicketTypeForm
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("name_id", gl("Name (Bahasa Indonesia)")),
        Column("key", gl("Key"), order="key"),
        Column("is_complaint", gl("Complaint")),
        Column("active", gl("Active")),
        Column("order", gl("Order"), order="order"),
    ]
    detail_fields = ["key", "name", "name_id", "is_complaint", "active", "order"]


class CategoryViewSet(ConfigViewSet):
    model = Category
    url_name = "category"
    form_class = f.CategoryForm
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("name_id", gl("Name (Bahasa Indonesia)")),
        Column("active", gl("Active")),
        Column("order", gl("Order"), order="order"),
    ]
    detail_fields = ["name", "name_id", "active", "order"]


class QueueViewSet(ConfigViewSet):
    model = Queue
    url_name = "queue"
    form_class = f.QueueForm
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("team", gl("Team")),
        Column("strategy", gl("Assignment"), accessor="get_strategy_display"),
        Column("agents", gl("Agents")),
        Column("is_default", gl("Default")),
        Column("active", gl("Active")),
    ]
    detail_fields = ["name", "description", "team", "agents", "strategy", "is_default", "active"]

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {"extra_rows": [(gl("Agents"), ", ".join(str(a) for a in obj.agents.all()) or "—")]}


class RoutingRuleViewSet(ConfigViewSet):
    model = RoutingRule
    url_name = "routingrule"
    form_class = f.RoutingRuleForm
    default_order = "order"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("order", gl("Order"), order="order"),
        Column("ticket_type", gl("Type")),
        Column("category", gl("Category")),
        Column("channel", gl("Channel")),
        Column("customer_tag", gl("Customer tier (tag)")),
        Column("keywords", gl("Keywords")),
        Column("queue", gl("Queue")),
        Column("active", gl("Active")),
    ]
    detail_fields = [
        "name",
        "order",
        "active",
        "ticket_type",
        "category",
        "channel",
        "customer_tag",
        "customer_type",
        "keywords",
        "queue",
        "set_priority",
        "assign",
    ]


class BusinessHoursViewSet(ConfigViewSet):
    model = BusinessHours
    url_name = "businesshours"
    form_class = f.BusinessHoursForm
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("timezone", gl("Time zone")),
        Column("is_default", gl("Default")),
    ]
    detail_fields = ["name", "timezone", "is_default"]

    def form_data(self, form: Any) -> tuple[dict[str, Any], Any]:
        data, tags = super().form_data(form)
        data["hours"] = form.instance.hours
        return data, tags

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        hours = obj.hours or {}
        rows = [
            (label, format_day(hours.get(str(i), [])) or gl("Closed"))
            for i, label in enumerate(WEEKDAYS)
        ]
        return {"extra_rows": rows}


class HolidayViewSet(ConfigViewSet):
    model = Holiday
    url_name = "holiday"
    form_class = f.HolidayForm
    default_order = "date"
    columns = [
        Column("date", gl("Date"), link=True, order="date"),
        Column("name", gl("Name"), order="name"),
        Column("kind", gl("Kind"), accessor="get_kind_display"),
        Column("confirmed", gl("Confirmed")),
        Column("calendar", gl("Calendar")),
    ]
    detail_fields = ["date", "name", "kind", "confirmed", "calendar"]
    page_size = 100


class SLAPolicyViewSet(ConfigViewSet):
    model = SLAPolicy
    url_name = "slapolicy"
    form_class = f.SLAPolicyForm
    default_order = "order"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("order", gl("Order"), order="order"),
        Column("priority", gl("Priority"), accessor="get_priority_display"),
        Column("ticket_type", gl("Type")),
        Column("customer_tag", gl("Customer tier (tag)")),
        Column("first_response", gl("First response"), accessor=_minutes("first_response_minutes")),
        Column("resolution", gl("Resolution"), accessor=_minutes("resolution_minutes")),
        Column("warn_percent", gl("Warn at %")),
        Column("active", gl("Active")),
    ]
    detail_fields = [
        "name",
        "order",
        "active",
        "priority",
        "ticket_type",
        "customer_tag",
        "customer_type",
        "calendar",
        "first_response_minutes",
        "resolution_minutes",
        "warn_percent",
    ]


class EscalationRuleViewSet(ConfigViewSet):
    model = EscalationRule
    url_name = "escalationrule"
    form_class = f.EscalationRuleForm
    default_order = "order"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("trigger", gl("When"), accessor="get_trigger_display"),
        Column("delay_minutes", gl("Delay (min)")),
        Column("queue", gl("Queue")),
        Column("reassign_queue", gl("Move to queue")),
        Column("reassign_user", gl("Reassign to")),
        Column("notify_manager", gl("Notify manager")),
        Column("raise_priority", gl("Raise priority")),
        Column("active", gl("Active")),
    ]
    detail_fields = [
        "name",
        "order",
        "active",
        "trigger",
        "delay_minutes",
        "queue",
        "priority",
        "reassign_queue",
        "reassign_user",
        "notify_manager",
        "notify_assignee",
        "raise_priority",
    ]


class CannedReplyViewSet(ConfigViewSet):
    model = CannedReply
    module = "service"
    url_name = "cannedreply"
    form_class = f.CannedReplyForm
    default_order = "title"
    columns = [
        Column("title", gl("Title"), link=True, order="title"),
        Column("language", gl("Language"), accessor="get_language_display"),
        Column("category", gl("Category")),
        Column("active", gl("Active")),
    ]
    detail_fields = ["title", "language", "category", "body", "active"]


class DialogueScriptViewSet(ConfigViewSet):
    model = DialogueScript
    module = "service"
    url_name = "script"
    form_class = f.DialogueScriptForm
    default_order = "name"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("ticket_type", gl("Type")),
        Column("category", gl("Category")),
        Column("steps", gl("Steps"), accessor=lambda s: len(s.steps or {})),
        Column("active", gl("Active")),
    ]
    detail_fields = ["name", "description", "ticket_type", "category", "active"]
    detail_template = "service/script_detail.html"

    def form_data(self, form: Any) -> tuple[dict[str, Any], Any]:
        data, tags = super().form_data(form)
        data["steps"], data["start_step"] = form.instance.steps, form.instance.start_step
        return data, tags


CONFIG_VIEWSETS: list[tuple[str, RecordViewSet]] = [
    ("types", TicketTypeViewSet()),
    ("categories", CategoryViewSet()),
    ("queues", QueueViewSet()),
    ("routing", RoutingRuleViewSet()),
    ("hours", BusinessHoursViewSet()),
    ("holidays", HolidayViewSet()),
    ("sla", SLAPolicyViewSet()),
    ("escalations", EscalationRuleViewSet()),
    ("canned", CannedReplyViewSet()),
    ("scripts", DialogueScriptViewSet()),
]


@login_required
@require_safe
def settings_index(request: HttpRequest) -> HttpResponse:
    """Links to every configuration page the user may open."""
    from django.urls import reverse

    items = [
        (vs.model._meta.verbose_name_plural, reverse(f"service:{vs.url_name}_list"))
        for _prefix, vs in CONFIG_VIEWSETS
        if request.user.has_module_perm(vs.module, "view")  # type: ignore[union-attr]
    ]
    return render(request, "service/settings.html", {"items": items})
