"""Thin task wrappers (house style): take ids, call the code that does the work."""

from django.tasks import task

from relasi.webhooks import delivery


@task()
def deliver_webhook(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)
