"""Thin task wrappers (house style): take ids, call the action."""

from typing import Any

from django.tasks import task

from relasi.conversations import actions


@task()
def deliver_message(message_id: int) -> str:
    return actions.deliver(message_id)


@task()
def fetch_whatsapp_media(message_id: int) -> str:
    from relasi.conversations import webhooks_whatsapp

    return webhooks_whatsapp.fetch_media(message_id)


@task()
def drain_inbound(inbox_id: int) -> int:
    """Store an inbox's pending webhook events (conversations.inbound_queue)."""
    from relasi.conversations import inbound_queue

    return inbound_queue.drain(inbox_id)


@task()
def sync_mailbox(inbox_id: int) -> dict[str, Any]:
    """Fetch one e-mail inbox's new messages over IMAP (conversations.imap_sync)."""
    from relasi.conversations import imap_sync
    from relasi.conversations.models import Inbox

    inbox = Inbox.objects.get(pk=inbox_id)
    return imap_sync.sync_inbox(inbox).as_dict()
