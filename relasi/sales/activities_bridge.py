"""Read-only bridge to the activities app, which may not exist yet (or lacks a function):
every call degrades to "nothing known" instead of failing."""

import datetime as dt
from typing import Any


def next_activities(model_label: str, ids: list[int]) -> dict[int, Any]:
    """{record id: (due datetime, title)} of the next open activity per record, if the
    activities app offers `relasi.activities.stats.next_activities(model_label, ids)`."""
    if not ids:
        return {}
    try:
        from relasi.activities import stats  # type: ignore[attr-defined]
    except ImportError:
        return {}
    fn = getattr(stats, "next_activities", None)
    if fn is None:
        return {}
    try:
        found = dict(fn(model_label, ids))
    except Exception:  # another app's failure must not break the board
        return {}
    return {int(k): v for k, v in found.items() if str(k).isdigit()}


def overdue(due: Any) -> bool:
    if isinstance(due, dt.datetime):
        from django.utils import timezone

        return due < timezone.now()
    return False
