"""Thin task wrappers (house style): take ids, call the action."""

from django.tasks import task

from relasi.conversations import actions


@task()
def deliver_message(message_id: int) -> str:
    return actions.deliver(message_id)
