"""The activities' entries on the customer's 360° timeline: tasks, calls, meetings and
appointments (on their due / start time, or completion for tasks) and field visits."""

import datetime as dt
from typing import Any

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from relasi.activities.choices import MEETING_KINDS, Kind
from relasi.activities.models import Activity, Visit
from relasi.customers import timeline


def _activity_entries(
    customer: Any, before: dt.datetime | None, limit: int, kinds: tuple[str, ...], when: Any
) -> list[timeline.Entry]:
    qs = (
        Activity.objects.filter(customer_id=customer.pk, kind__in=kinds)
        .annotate(at=when)
        .select_related("owner")
    )
    if before is not None:
        qs = qs.filter(at__lt=before)
    entries = []
    for a in qs.order_by("-at", "-id")[:limit]:
        title = f"{a.get_kind_display()}: {a.title}"
        bits = [a.get_status_display()]
        if a.kind == Kind.CALL:
            bits = [a.get_direction_display(), a.get_outcome_display()]
            if a.duration_minutes:
                bits.append(_("%(n)s min") % {"n": a.duration_minutes})
        elif a.kind in MEETING_KINDS and a.confirmation:
            bits.append(a.get_confirmation_display())
        body = " · ".join(b for b in bits if b)
        if a.description:
            body = f"{body}\n{a.description}" if body else a.description
        entries.append(
            timeline.Entry(a.at, a.kind, title, body, str(a.owner or ""), url=a.get_absolute_url())
        )
    return entries


@timeline.register("task", gl("Tasks"), "check2-square")
def tasks(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    when = Coalesce(F("done_at"), F("due_at"), F("created_at"))
    return _activity_entries(customer, before, limit, (Kind.TASK,), when)


@timeline.register("call", gl("Calls"), "telephone")
def calls(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    return _activity_entries(
        customer, before, limit, (Kind.CALL,), Coalesce(F("due_at"), F("created_at"))
    )


@timeline.register("meeting", gl("Meetings"), "people")
def meetings(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    return _activity_entries(
        customer, before, limit, MEETING_KINDS, Coalesce(F("due_at"), F("created_at"))
    )


@timeline.register("visit", gl("Visits"), "geo-alt")
def visits(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    qs = Visit.objects.filter(customer_id=customer.pk).select_related("owner")
    if before is not None:
        qs = qs.filter(checked_in_at__lt=before)
    entries = []
    for v in qs.order_by("-checked_in_at", "-id")[:limit]:
        bits = []
        if v.minutes_on_site is not None:
            bits.append(_("%(n)s min on site") % {"n": v.minutes_on_site})
        else:
            bits.append(_("checked in"))
        if v.in_distance_m is not None:
            bits.append(_("%(m)s m from the address") % {"m": v.in_distance_m})
        if v.outcome:
            bits.append(v.get_outcome_display())
        body = " · ".join(bits) + (f"\n{v.notes}" if v.notes else "")
        entries.append(
            timeline.Entry(
                v.checked_in_at,
                "visit",
                _("Field visit"),
                body,
                str(v.owner or ""),
                url=v.get_absolute_url(),
            )
        )
    return entries
