"""The event feed: changes since a cursor, for systems that poll instead of receiving
webhooks (Zapier, Make, n8n …).

A reader sees an event when their role may view its module and they could see the record when
the event happened (its owner and team then, the same rule as `core/access.py`; kept on the
event so a deleted record's events stay visible to the same people). The cursor is the last
event id read; events younger than RELASI_EVENT_FEED_LAG_SECONDS are held back so a
transaction that committed late with a lower id is not skipped."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from relasi.core.choices import Visibility
from relasi.webhooks import events
from relasi.webhooks.models import Event

MAX_LIMIT = 200


def visibility(user: Any) -> Q:
    """The events `user` may read (module permission and record visibility)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    types = [t for t, _label in events.event_types() if user.has_module_perm(events.module_of(t))]
    q = Q(type__in=types)
    scope = user.visibility
    if scope == Visibility.ALL:
        return q
    own = Q(owner_id=user.pk)
    if scope == Visibility.TEAM and user.team_id:
        from relasi.accounts.models import User

        mates = list(User.objects.filter(team_id=user.team_id).values_list("pk", flat=True))
        return q & (own | Q(team_id=user.team_id) | Q(owner_id__in=mates))
    if scope == Visibility.SUBORDINATES:
        return q & Q(owner_id__in=sorted(user.subordinate_ids()))
    return q & own


def page(
    user: Any, *, after: str | None, types: list[str] | None = None, limit: int = 100
) -> dict[str, Any]:
    try:
        start = int(after or 0)
    except ValueError:
        start = 0
    limit = max(1, min(limit, MAX_LIMIT))
    lag = float(getattr(settings, "RELASI_EVENT_FEED_LAG_SECONDS", 2))
    qs: QuerySet[Event] = Event.objects.filter(visibility(user), id__gt=start)
    if lag > 0:
        qs = qs.filter(created_at__lte=timezone.now() - dt.timedelta(seconds=lag))
    if types:
        qs = qs.filter(type__in=types)
    rows = list(qs.order_by("id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = str(rows[-1].id) if rows else str(start)
    return {"items": [r.envelope() for r in rows], "next_cursor": cursor, "has_more": more}
