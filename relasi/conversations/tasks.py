"""Thin task wrappers (house style): take ids, call the action."""

from django.tasks import task

from relasi.conversations import actions


@task()
def deliver_message(message_id: int) -> str:
    return actions.deliver(message_id)


@task()
def fetch_whatsapp_media(message_id: int) -> str:
    from relasi.conversations import webhooks_whatsapp

    return webhooks_whatsapp.fetch_media(message_id)
