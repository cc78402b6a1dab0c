"""What an inbound message's sentiment changes: the message's own label, the conversation's
(the latest inbound message's), and its priority (a negative message raises it to high,
never lowers it). conversations.actions calls these while it stores the message."""

import re
from typing import Any

from relasi.conversations import sentiment
from relasi.conversations.choices import MessageKind
from relasi.service.choices import PRIORITY_ORDER, Priority

MAX_CHARS = 2000
# The quoted history of an e-mail reply is the agent's words and older messages, not the mood
# of this one: cut at "On … wrote:" / "Pada … menulis:" and skip "> " lines.
_QUOTE_HEADER = re.compile(r"^\s*(on|pada)\b.{0,200}\b(wrote|menulis)\s*:\s*$", re.I | re.M)


def own_words(body: str) -> str:
    """The customer's own text of a message, without the history a reply quotes."""
    found = _QUOTE_HEADER.search(body or "")
    text = body[: found.start()] if found else body or ""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def of_message(body: str, kind: str) -> str:
    """The label of an inbound message ("" for bounces, auto-replies and system events)."""
    if kind != MessageKind.NORMAL:
        return ""
    text = own_words(body)[:MAX_CHARS]
    return str(sentiment.score(text)[0]) if text.strip() else ""


def conversation_update(conversation: Any, label: str) -> dict[str, Any]:
    """The fields of the conversation a new inbound message's label changes."""
    if not label:
        return {}
    update: dict[str, Any] = {"sentiment": label}
    current = PRIORITY_ORDER.index(conversation.priority)
    if label == sentiment.Sentiment.NEGATIVE and current < PRIORITY_ORDER.index(Priority.HIGH):
        update["priority"] = Priority.HIGH
    return update


def backfill(batch: int = 500) -> dict[str, int]:
    """Label the customer messages stored before sentiment existed (or whose label is blank),
    and give each conversation the label of its latest one. Priorities are left alone: old
    moods do not re-route open work. Resumable: it walks by id and skips labelled rows."""
    from django.db import transaction

    from relasi.conversations.choices import Direction
    from relasi.conversations.models import Conversation, Message

    scored = 0
    touched: set[int] = set()
    last = 0
    blank = Message.objects.filter(
        direction=Direction.INBOUND, kind=MessageKind.NORMAL, sentiment=""
    )
    while True:
        rows = list(
            blank.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "body", "kind", "conversation")[:batch]
        )
        if not rows:
            break
        for row in rows:
            row.sentiment = of_message(row.body, row.kind) or sentiment.Sentiment.NEUTRAL
            touched.add(row.conversation_id)
        with transaction.atomic():
            Message.objects.bulk_update(rows, ["sentiment"])
        scored += len(rows)
        last = rows[-1].pk
    for pk in sorted(touched):
        latest = (
            Message.objects.filter(conversation_id=pk, direction=Direction.INBOUND)
            .exclude(sentiment="")
            .order_by("-created_at", "-id")
            .values_list("sentiment", flat=True)
            .first()
        )
        if latest:
            Conversation.objects.filter(pk=pk).update(sentiment=latest)
    return {"messages": scored, "conversations": len(touched)}
