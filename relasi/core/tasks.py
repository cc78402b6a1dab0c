"""Thin task wrappers of core (house style): take ids, call the code that does the work."""

from django.tasks import task

from relasi.core import mail


@task()
def deliver_email(email_id: int) -> str:
    return mail.deliver(email_id)
