"""Web-chat replies: the visitor's widget reads them from the conversation (nothing to hand
to an outside service), so sending is recording — and telling the visitor's open stream
(conversations.stream: PostgreSQL NOTIFY; on SQLite the stream polls)."""

import datetime as dt
from typing import Any

from relasi.conversations import channels
from relasi.conversations.choices import ChannelKind


class WebChatAdapter:
    kind: str = ChannelKind.WEBCHAT

    def send(self, inbox: Any, message: Any) -> channels.SendResult:
        from relasi.conversations import stream

        stream.notify(message.conversation_id, message.pk)
        return channels.SendResult(True, external_id=f"webchat-{message.pk}")

    def freeform_until(self, conversation: Any) -> dt.datetime | None:
        return None


channels.register(WebChatAdapter())
