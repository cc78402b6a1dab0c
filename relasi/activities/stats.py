"""Activity figures for other apps (the sales performance page's "activities logged")."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count

from relasi.activities.choices import Status
from relasi.activities.models import Activity, Visit


def activity_counts(
    user_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, dict[str, int]]:
    """{user_id: {kind: count}} of the activities each user completed in [start, end): tasks,
    calls, meetings and appointments marked done (a logged call is done when logged), plus
    field visits checked in during the period under "visit". Users with nothing are absent.
    Two grouped queries whatever the number of users."""
    ids = sorted(set(user_ids))
    result: dict[int, dict[str, int]] = {}
    if not ids:
        return result
    done = (
        Activity.objects.filter(
            owner_id__in=ids, status=Status.DONE, done_at__gte=start, done_at__lt=end
        )
        .values_list("owner_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for owner_id, kind, n in done:
        result.setdefault(owner_id, {})[kind] = n
    visits = (
        Visit.objects.filter(owner_id__in=ids, checked_in_at__gte=start, checked_in_at__lt=end)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for owner_id, n in visits:
        result.setdefault(owner_id, {})["visit"] = n
    return result


def next_activities(model_label: str, ids: list[int]) -> dict[int, tuple[dt.datetime | None, str]]:
    """{record id: (due time or None, title)} of the next open activity on each record of
    `model_label` ("sales.deal", "customers.customer" …), for Kanban cards. One query."""
    from django.apps import apps
    from django.db.models import F

    from relasi.activities.choices import OPEN_STATUSES

    if not ids:
        return {}
    model = apps.get_model(model_label)
    qs = Activity.objects.filter(status__in=OPEN_STATUSES)
    from relasi.customers.models import Customer

    if issubclass(model, Customer):
        qs = qs.filter(customer_id__in=ids)
        key = "customer_id"
    else:
        from django.contrib.contenttypes.models import ContentType

        qs = qs.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        key = "object_id"
    result: dict[int, tuple[dt.datetime | None, str]] = {}
    rows = qs.order_by(F("due_at").asc(nulls_last=True), "id").values_list(key, "due_at", "title")
    for pk, due, title in rows:
        result.setdefault(pk, (due, title))
    return result
