"""The conversations app's tables: inboxes (channel accounts), conversations and messages."""

from relasi.conversations.models.conversation import (
    Conversation,
    Message,
    MessageAttachment,
)
from relasi.conversations.models.inbox import InboundEvent, Inbox

__all__ = ["Conversation", "InboundEvent", "Inbox", "Message", "MessageAttachment"]
