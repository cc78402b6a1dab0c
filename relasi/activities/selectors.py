"""Reading activities: who sees what (the access layer plus delegation and participation),
"my team", due states (overdue / today / planned / no date) and the next activity of a record.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from relasi.activities.choices import OPEN_STATUSES, DueState
from relasi.activities.models import Activity
from relasi.core.access import visibility_q
from relasi.core.choices import Visibility

# --- visibility ---------------------------------------------------------------------------------


def activity_visibility_q(user: Any) -> Q | None:
    """The access layer's rule (own / team / subordinates / all) widened by two facts: whoever
    delegated an activity follows it, and participants see the meetings they attend."""
    base = visibility_q(user, Activity)
    if base is None:
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base
    attending = Exists(
        Activity.attendees.through.objects.filter(activity_id=OuterRef("pk"), user_id=user.pk)
    )
    return base | Q(assigned_by_id=user.pk) | Q(attending)


def visible_activities(user: Any, queryset: models.QuerySet | None = None) -> models.QuerySet:
    qs = Activity.objects.all() if queryset is None else queryset
    q = activity_visibility_q(user)
    return qs if q is None else qs.filter(q)


def team_user_ids(user: Any) -> set[int]:
    """ "My team": my subordinates for managers (and anyone who has reports), my team's members
    for everyone else. Records are still filtered by visibility afterwards."""
    from relasi.accounts.models import User

    ids = set(user.subordinate_ids())
    if user.visibility != Visibility.SUBORDINATES and user.team_id:
        ids |= set(
            User.objects.filter(team_id=user.team_id, is_active=True).values_list("id", flat=True)
        )
    ids.discard(user.pk)
    return ids


def mine_q(user: Any) -> Q:
    attending = Exists(
        Activity.attendees.through.objects.filter(activity_id=OuterRef("pk"), user_id=user.pk)
    )
    return Q(owner_id=user.pk) | Q(attending)


def scoped(user: Any, scope: str) -> models.QuerySet:
    """Visible activities for a scope: "mine" (assigned to or attended by me), "team" (my
    team's, see `team_user_ids`), "delegated" (assigned by me to others) or "all"."""
    qs = visible_activities(user)
    if scope == "team":
        return qs.filter(owner_id__in=sorted(team_user_ids(user)))
    if scope == "delegated":
        return qs.filter(assigned_by_id=user.pk).exclude(owner_id=user.pk)
    if scope == "mine_and_team":
        return qs.filter(mine_q(user) | Q(owner_id__in=sorted(team_user_ids(user))))
    if scope == "all":
        return qs
    return qs.filter(mine_q(user))


# --- due states ---------------------------------------------------------------------------------


def day_bounds(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Start of today and of tomorrow in the current time zone."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def state_q(state: str, now: dt.datetime | None = None) -> Q:
    """A filter for one due state. All-day items are overdue from the next day on; timed items
    from the moment they are due."""
    now = now or timezone.now()
    today, tomorrow = day_bounds(now)
    is_open = Q(status__in=OPEN_STATUSES)
    overdue = is_open & (Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today))
    if state == DueState.OVERDUE:
        return overdue
    if state == DueState.TODAY:
        return is_open & Q(due_at__gte=today, due_at__lt=tomorrow) & ~overdue
    if state == DueState.PLANNED:
        return is_open & Q(due_at__gte=tomorrow)
    if state == DueState.NONE:
        return is_open & Q(due_at__isnull=True)
    if state == DueState.DONE:
        return ~is_open
    return Q()


def due_state(activity: Activity, now: dt.datetime | None = None) -> str:
    if activity.status not in OPEN_STATUSES:
        return DueState.DONE
    if activity.due_at is None:
        return DueState.NONE
    now = now or timezone.now()
    today, tomorrow = day_bounds(now)
    if activity.due_at < (today if activity.all_day else now):
        return DueState.OVERDUE
    if activity.due_at < tomorrow:
        return DueState.TODAY
    return DueState.PLANNED


STATE_CSS = {
    DueState.OVERDUE: "danger",
    DueState.TODAY: "warning",
    DueState.PLANNED: "success",
    DueState.NONE: "secondary",
    DueState.DONE: "light",
}


# --- next activity (Kanban cards, lists) --------------------------------------------------------


def _is_customer(obj: models.Model) -> bool:
    from relasi.customers.models import Customer

    return isinstance(obj, Customer)


def _open_for(objs: list[models.Model]) -> models.QuerySet:
    qs = Activity.objects.open().select_related("owner")
    if all(_is_customer(o) for o in objs):
        return qs.filter(customer_id__in=[o.pk for o in objs])
    ct = ContentType.objects.get_for_model(objs[0])
    return qs.filter(content_type=ct, object_id__in=[o.pk for o in objs])


def next_activities_for(objs: Iterable[models.Model], user: Any = None) -> dict[Any, Activity]:
    """{obj.pk: its next open activity} for many records of one model in one query (a board of
    deals). Dated activities come first, earliest due first; undated ones after. With `user`,
    only activities that user may see are considered."""
    objs = [o for o in objs if o.pk is not None]
    if not objs:
        return {}
    qs = _open_for(objs)
    if user is not None:
        qs = visible_activities(user, qs)
    qs = qs.order_by(models.F("due_at").asc(nulls_last=True), "id")
    result: dict[Any, Activity] = {}
    customer_keyed = all(_is_customer(o) for o in objs)
    for activity in qs:
        key = activity.customer_id if customer_keyed else activity.object_id
        result.setdefault(key, activity)
    return result


def next_activity_for(obj: models.Model, user: Any = None) -> Activity | None:
    """The next open activity on `obj` (any record: a customer, a deal, a lead …), or None.
    `activity.due_state` gives its colour: overdue / today / planned / none."""
    return next_activities_for([obj], user).get(obj.pk)
