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
