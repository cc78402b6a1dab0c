"""Sentiment beyond one message: the share of negative customer messages per week (a KPI the
dashboards read), the customer page's panel (their last ten messages), and a ticket's mood
(its description and the customer's messages)."""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.template.loader import render_to_string

from relasi.conversations import sentiment
from relasi.conversations.choices import Direction, MessageKind, Sentiment
from relasi.conversations.models import Message
from relasi.conversations.sentiment_routing import own_words
from relasi.core.access import visible_to
from relasi.customers import panels

PANEL_MESSAGES = 10
TICKET_MESSAGES = 10


def negative_share_by_week(
    since: dt.datetime, until: dt.datetime | None = None, messages: Any = None
) -> list[dict[str, Any]]:
    """Per week (starting Monday, in the current time zone) from `since` to `until`: the
    customer messages with a sentiment, the negative ones and their share (0 to 1). Counted
    in the database; `messages` narrows the rows (an inbox, a team, what a user may see)."""
    qs = Message.objects.all() if messages is None else messages
    qs = qs.filter(direction=Direction.INBOUND, kind=MessageKind.NORMAL, created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    rows = (
        qs.exclude(sentiment="")
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(total=Count("id"), negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)))
        .order_by("week")
    )
    return [
        {
            "week": r["week"].date() if isinstance(r["week"], dt.datetime) else r["week"],
            "inbound": r["total"],
            "negative": r["negative"],
            "share": r["negative"] / r["total"] if r["total"] else 0.0,
        }
        for r in rows
    ]


def customer_counts(user: Any, customer: Any, limit: int = PANEL_MESSAGES) -> dict[str, int]:
    """How many of the customer's last `limit` messages (in conversations the user may see)
    were positive, neutral and negative."""
    qs = visible_to(
        user,
        Message.objects.filter(
            conversation__customer=customer, direction=Direction.INBOUND, kind=MessageKind.NORMAL
        ).exclude(sentiment=""),
    )
    found = Counter(qs.order_by("-created_at", "-id").values_list("sentiment", flat=True)[:limit])
    return {label: found.get(label, 0) for label in Sentiment.values}


@panels.register("customer")
def customer_panel(request: Any, customer: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.has_module_perm("conversations", "view"):
        return ""
    counts = customer_counts(user, customer)
    if not any(counts.values()):
        return ""
    rows = [(value, label, counts[value]) for value, label in Sentiment.choices]
    return render_to_string(
        "conversations/_sentiment_panel.html",
        {"rows": rows, "total": sum(counts.values()), "limit": PANEL_MESSAGES},
        request=request,
    )


def ticket_sentiment(ticket: Any) -> tuple[str, float]:
    """The mood of a ticket: the mean score of its description and the customer's latest
    messages (agents' replies and notes do not count), labelled with the scorer's bounds."""
    from relasi.service.choices import MessageKind as TicketMessageKind

    texts = [own_words(ticket.description or "")]
    texts += list(
        ticket.messages.filter(kind=TicketMessageKind.CUSTOMER)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)[:TICKET_MESSAGES]
    )
    scores = [sentiment.score(own_words(t)[:2000])[1] for t in texts if t and t.strip()]
    if not scores:
        return Sentiment.NEUTRAL, 0.0
    mean = round(sum(scores) / len(scores), 3)
    if mean >= sentiment.POSITIVE_AT:
        return Sentiment.POSITIVE, mean
    if mean <= sentiment.NEGATIVE_AT:
        return Sentiment.NEGATIVE, mean
    return Sentiment.NEUTRAL, mean


@panels.register("ticket")
def ticket_panel(request: Any, ticket: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.has_module_perm("service", "view"):
        return ""
    label, value = ticket_sentiment(ticket)
    return render_to_string(
        "conversations/_ticket_sentiment.html",
        {"label": label, "display": Sentiment(label).label, "value": value},
        request=request,
    )
