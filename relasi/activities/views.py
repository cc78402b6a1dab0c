"""Activity pages: tasks, calls and meetings through the generic viewsets, "My tasks" with
quick completion, the customer picker's lookup, and notifications."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST, require_safe

from relasi.activities import actions, selectors
from relasi.activities.choices import MEETING_KINDS, OPEN_STATUSES, DueState, Kind, Status
from relasi.activities.filtersets import ActivityFilterSet
from relasi.activities.forms import CallForm, MeetingForm, TaskForm
from relasi.activities.models import Activity, Notification
from relasi.core import views as core_views
from relasi.core.access import get_for_user
from relasi.core.htmx import is_htmx
from relasi.core.pagination import paginate
from relasi.core.records import ConflictError
from relasi.core.typing import AuthedRequest
from relasi.core.views import require
from relasi.core.viewsets import ASSIGN_OWNER, DELETE, BulkAction, Column, RecordViewSet


def _bulk_complete(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    n = 0
    for activity in qs.filter(status__in=OPEN_STATUSES):
        actions.complete_activity(actor, activity, expected_version=None)
        n += 1
    return n


COMPLETE = BulkAction("complete", gl("Mark done"), "change", _bulk_complete)


def _due(a: Activity) -> str:
    if a.due_at is None:
        return ""
    local = timezone.localtime(a.due_at)
    return local.strftime("%d-%m-%Y") if a.all_day else local.strftime("%d-%m-%Y %H:%M")


class WidenedAccess:
    """The generic views fetch through `get_for_user`, the plain owner/team rule; activities
    are also visible to whoever delegated them and to meeting participants."""

    viewset: Any
    request: Any
    kwargs: Any

    def get_object(self) -> Any:
        try:
            return self.viewset.queryset_for(self.request.user).get(pk=self.kwargs["pk"])
        except (Activity.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def base_context(self) -> dict[str, Any]:
        # "New task" / "Calls", not the model's generic "activity".
        context = super().base_context()  # type: ignore[misc]
        context["verbose_name"] = self.viewset.verbose_name
        context["verbose_name_plural"] = self.viewset.verbose_name_plural
        return context


class ActivityListView(WidenedAccess, core_views.ObjectListView):
    pass


class ActivityDetailView(WidenedAccess, core_views.ObjectDetailView):
    pass


class ActivityDeleteView(WidenedAccess, core_views.ObjectDeleteView):
    pass


class ActivityEditView(WidenedAccess, core_views.ObjectEditView):
    """The generic create/edit view, prefilled from the query string on create
    (`?customer=12&link=sales.deal:7&date=2026-05-01&kind=appointment`)."""

    def get_form(self, obj: Any) -> Any:
        form = super().get_form(obj)
        params = self.request.GET
        if obj is None and self.request.method == "GET":
            if (c := params.get("customer", "")).isdigit():
                form.initial["customer"] = int(c)
            if params.get("link"):
                form.initial["link"] = params["link"][:120]
            if params.get("kind") in MEETING_KINDS:
                form.initial["kind"] = params["kind"]
            if day := params.get("date", ""):
                try:
                    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9, 0))
                except ValueError:
                    start = None
                if start:
                    form.initial.update(due_date=start.date(), due_at=start)
        return form


class ActivityViewSet(RecordViewSet):
    model = Activity
    module = "activities"
    verbose_name: Any = gl("activity")
    verbose_name_plural: Any = gl("activities")
    kinds: tuple[str, ...] = (Kind.TASK,)
    filterset_class = ActivityFilterSet
    default_order = "-created_at"
    select_related = ("owner", "customer")
    detail_template = "activities/activity_detail.html"
    form_template = "activities/activity_form.html"
    bulk_actions = [COMPLETE, ASSIGN_OWNER, DELETE]

    def base_queryset(self) -> Any:
        return Activity.objects.filter(kind__in=self.kinds)

    def queryset_for(self, user: Any) -> Any:
        qs = selectors.visible_activities(user, self.base_queryset())
        return qs.select_related(*self.select_related)

    def create(self, actor: Any, form: Any) -> Activity:
        data = form.activity_data()
        if form.errors:
            raise ValidationError(form.errors.as_data())
        activity = actions.create_activity(
            actor,
            data,
            attendees=form.cleaned_data.get("attendees"),
            contacts=form.cleaned_data.get("contacts"),
            remind_minutes=form.remind_minutes(),
            remind_customer_minutes=_customer_minutes(form),
        )
        _maybe_invite(actor, form, activity)
        return activity

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Activity:
        data = form.activity_data()
        activity = actions.update_activity(
            actor,
            obj,
            data,
            expected_version=version,
            attendees=form.cleaned_data.get("attendees") if "attendees" in form.fields else None,
            contacts=form.cleaned_data.get("contacts") if "contacts" in form.fields else None,
            remind_minutes=form.remind_minutes(),
            remind_customer_minutes=_customer_minutes(form, default=False),
        )
        _maybe_invite(actor, form, activity)
        return activity

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_activity(actor, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        linked = None
        if obj.content_type_id:
            try:
                linked = obj.linked
            except Exception:  # the linked record's app may be gone
                linked = None
        return {
            "state": selectors.due_state(obj),
            "state_css": selectors.STATE_CSS,
            "linked": linked,
            "reminders": obj.reminders.all(),
            "attendee_list": obj.attendees.all(),
            "contact_list": [
                link.customer for link in obj.contact_links.select_related("customer")
            ],
            "visits": obj.visits.select_related("owner")[:20],
            "can_invite": obj.is_meeting and obj.customer_id and obj.customer.primary_email,
        }

    def urls(self, prefix: str) -> list[URLPattern]:
        n = self.url_name
        views = {
            f"{n}_list": (f"{prefix}/", ActivityListView),
            f"{n}_create": (f"{prefix}/new/", ActivityEditView),
            f"{n}_detail": (f"{prefix}/<int:pk>/", ActivityDetailView),
            f"{n}_edit": (f"{prefix}/<int:pk>/edit/", ActivityEditView),
            f"{n}_delete": (f"{prefix}/<int:pk>/delete/", ActivityDeleteView),
        }
        patterns = [p for p in super().urls(prefix) if p.name not in views]
        for name, (route, view) in views.items():
            patterns.append(path(route, view.as_view(viewset=self), name=name))
        return patterns


def _customer_minutes(form: Any, default: Any = None) -> Any:
    return form.remind_customer_minutes() if hasattr(form, "remind_customer_minutes") else default


def _maybe_invite(actor: Any, form: Any, activity: Activity) -> None:
    if form.cleaned_data.get("send_invitation"):
        actions.send_invitation(actor, activity)


class TaskViewSet(ActivityViewSet):
    kinds = (Kind.TASK,)
    verbose_name, verbose_name_plural = gl("task"), gl("tasks")
    url_name = "task"
    form_class = TaskForm
    columns = [
        Column("title", gl("Title"), order="title", link=True),
        Column("due", gl("Deadline"), accessor=_due),
        Column("state", gl("Due"), accessor=lambda a: DueState(a.due_state).label),
        Column("status", gl("Status"), accessor="get_status_display", order="status"),
        Column("priority", gl("Priority"), accessor="get_priority_display", order="priority"),
        Column("progress", gl("Progress (%)"), order="progress"),
        Column("owner", gl("Assigned to")),
        Column("customer", gl("Customer")),
        Column("assigned_by", gl("Assigned by")),
        Column("created_at", gl("Created"), order="created_at"),
    ]
    default_columns = ["title", "due", "state", "status", "priority", "owner", "customer"]


class CallViewSet(ActivityViewSet):
    kinds = (Kind.CALL,)
    verbose_name, verbose_name_plural = gl("call"), gl("calls")
    url_name = "call"
    form_class = CallForm
    columns = [
        Column("title", gl("Call"), order="title", link=True),
        Column("due", gl("When"), accessor=_due),
        Column("direction", gl("Direction"), accessor="get_direction_display"),
        Column("outcome", gl("Outcome"), accessor="get_outcome_display", order="outcome"),
        Column("duration_minutes", gl("Minutes")),
        Column("customer", gl("Customer")),
        Column("owner", gl("By")),
        Column("status", gl("Status"), accessor="get_status_display"),
    ]
    default_columns = [
        "title",
        "due",
        "direction",
        "outcome",
        "duration_minutes",
        "customer",
        "owner",
    ]


class MeetingViewSet(ActivityViewSet):
    kinds = MEETING_KINDS
    verbose_name, verbose_name_plural = gl("meeting"), gl("meetings and appointments")
    url_name = "meeting"
    form_class = MeetingForm
    columns = [
        Column("title", gl("Title"), order="title", link=True),
        Column("kind", gl("Type"), accessor="get_kind_display"),
        Column("due", gl("Starts"), accessor=_due),
        Column("location", gl("Place")),
        Column("customer", gl("Customer")),
        Column(
            "confirmation",
            gl("Confirmation"),
            accessor="get_confirmation_display",
            order="confirmation",
        ),
        Column("owner", gl("Organiser")),
        Column("status", gl("Status"), accessor="get_status_display"),
    ]
    default_columns = ["title", "kind", "due", "location", "customer", "confirmation", "owner"]


@login_required
@require_safe
def home(request: AuthedRequest) -> HttpResponse:
    return redirect("activities:my_tasks")


# --- My tasks -----------------------------------------------------------------------------------

SCOPES = {
    "mine": gl("My tasks"),
    "team": gl("My team's tasks"),
    "delegated": gl("Delegated by me"),
}
GROUPS = [DueState.OVERDUE, DueState.TODAY, DueState.PLANNED, DueState.NONE]


@login_required
@require_safe
def my_tasks(request: AuthedRequest) -> HttpResponse:
    require(request, "activities", "view")
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in SCOPES else "mine"
    kinds = [k for k in request.GET.getlist("kind") if k in Kind.values]
    wanted_state = request.GET.get("state", "")
    qs = selectors.scoped(request.user, scope).select_related("owner", "customer", "assigned_by")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    now = timezone.now()
    open_items = list(
        qs.filter(status__in=OPEN_STATUSES).order_by(F("due_at").asc(nulls_last=True), "id")[:500]
    )
    groups: dict[str, list[Activity]] = {state: [] for state in GROUPS}
    for activity in open_items:
        groups[selectors.due_state(activity, now)].append(activity)
    if wanted_state in groups:
        groups = {wanted_state: groups[wanted_state]}
    since = now - dt.timedelta(days=7)
    done = list(qs.filter(status=Status.DONE, done_at__gte=since).order_by("-done_at")[:20])
    context = {
        "scope": scope,
        "scopes": SCOPES,
        "kinds": kinds,
        "kind_choices": Kind.choices,
        "groups": [(DueState(s), s, items) for s, items in groups.items()],
        "done": done,
        "state_css": selectors.STATE_CSS,
        "can_change": request.user.has_module_perm("activities", "change"),  # type: ignore[union-attr]
        "can_add": request.user.has_module_perm("activities", "add"),  # type: ignore[union-attr]
        "now": now,
    }
    return render(request, "activities/my_tasks.html", context)


@login_required
@require_POST
def complete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Quick completion from a list (htmx): the row comes back done, or 409 when the activity
    changed since the list was drawn."""
    require(request, "activities", "change")
    activity = get_for_user(request.user, selectors.visible_activities(request.user), pk=pk)
    raw = request.POST.get("version", "")
    try:
        activity = actions.complete_activity(
            request.user, activity, expected_version=int(raw) if raw.isdigit() else None
        )
    except ConflictError as conflict:
        conflict.ensure_recorded()
        if is_htmx(request):
            return HttpResponse(str(ConflictError.message), status=409)
        messages.error(request, str(ConflictError.message))
        return redirect(_back(request, activity.get_absolute_url()))
    if is_htmx(request):
        return render(
            request,
            "activities/_task_row.html",
            {
                "a": activity,
                "state": DueState.DONE,
                "state_css": selectors.STATE_CSS,
                "can_change": True,
            },
        )
    messages.success(request, _("Marked done."))
    return redirect(_back(request, activity.get_absolute_url()))


@login_required
@require_POST
def invite(request: AuthedRequest, pk: int) -> HttpResponse:
    require(request, "activities", "change")
    activity = get_for_user(request.user, selectors.visible_activities(request.user), pk=pk)
    try:
        actions.send_invitation(request.user, activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation e-mailed to the customer."))
    return redirect(activity.get_absolute_url())


def _back(request: AuthedRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return default
    return target


@login_required
@require_safe
def customer_lookup(request: AuthedRequest) -> JsonResponse:
    """The customer picker's search: visible customers only (relasi.customers.search)."""
    require(request, "activities", "view")
    from relasi.customers.search import search_customers

    hits = search_customers(request.user, request.GET.get("q", "")[:100], limit=10)
    return JsonResponse({"results": [{"id": h.id, "name": h.name, "city": h.city} for h in hits]})


# --- notifications ------------------------------------------------------------------------------


@login_required
@require_safe
def notifications(request: AuthedRequest) -> HttpResponse:
    page = paginate(
        Notification.objects.filter(user=request.user),
        order="-pk",
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        limit=50,
    )
    return render(request, "activities/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    note = Notification.objects.filter(user=request.user, pk=pk).first()
    if note is None:
        raise Http404
    actions.mark_read(request.user, ids=[note.pk])
    target = note.url if note.url.startswith("/") and not note.url.startswith("//") else ""
    return redirect(target or "activities:notifications")


@login_required
@require_POST
def notifications_read_through(request: AuthedRequest, pk: int) -> HttpResponse:
    if not Notification.objects.filter(user=request.user, pk=pk).exists():
        raise Http404
    actions.mark_read(request.user, up_to=pk)
    if is_htmx(request):
        return render(request, "activities/_bell.html", {"bell": _bell_state(request.user)})
    return redirect(_back(request, "/"))


def _bell_state(user: Any) -> dict[str, Any]:
    from relasi.activities.templatetags.activity_tags import bell_state

    return bell_state(user)
