"""Conversation SLA: first response and resolution targets of the inbox, counted in the
service app's business hours (its default calendar and holidays)."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from relasi.service import businesstime as bt
from relasi.service.sla import calendar_for

_batch_calendar: ContextVar[bt.Calendar | None] = ContextVar("conv_calendar", default=None)


@contextmanager
def one_calendar() -> Iterator[None]:
    """Read the business calendar once for a batch of messages (a drain, an IMAP batch)
    instead of twice per new conversation."""
    token = _batch_calendar.set(calendar_for(None))
    try:
        yield
    finally:
        _batch_calendar.reset(token)


def due_times(inbox: Any, start: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    cal = _batch_calendar.get() or calendar_for(None)
    try:
        first = bt.add_business_minutes(cal, start, inbox.first_response_minutes)
        resolution = bt.add_business_minutes(cal, start, inbox.resolution_minutes)
    except ValueError:  # a calendar that is never open: no clock
        return None, None
    return first, resolution


def state(conversation: Any, now: dt.datetime) -> str:
    """ "breached", "ok" or "" (no clock running) for the list's SLA column."""
    if not conversation.is_active:
        return ""
    due = []
    if conversation.first_responded_at is None and conversation.first_response_due:
        due.append(conversation.first_response_due)
    if conversation.resolved_at is None and conversation.resolution_due:
        due.append(conversation.resolution_due)
    if not due:
        return ""
    return "breached" if min(due) < now else "ok"
