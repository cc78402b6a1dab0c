"""Conversation messages on the 360° timeline (inbound and outbound, not internal notes)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from relasi.conversations.choices import Direction
from relasi.conversations.models import Message
from relasi.customers import timeline


@timeline.register("message", _("Messages"), "chat-dots")
def _messages(customer: Any, before: dt.datetime | None, limit: int) -> list[timeline.Entry]:
    qs = (
        Message.objects.filter(conversation__customer=customer)
        .exclude(direction=Direction.NOTE)
        .select_related("conversation", "author")
        .order_by("-created_at", "-id")
    )
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    out = []
    for m in qs[:limit]:
        arrow = "←" if m.direction == Direction.INBOUND else "→"
        out.append(
            timeline.Entry(
                at=m.created_at,
                kind="message",
                title=f"{arrow} {m.conversation.get_channel_display()}"
                + (f": {m.conversation.subject}" if m.conversation.subject else ""),
                body=m.body[:300],
                actor=str(m.author or ""),
                url=m.conversation.get_absolute_url(),
            )
        )
    return out
