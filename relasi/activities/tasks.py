"""Thin task wrappers (house style): take ids, call the code that does the work."""

from django.tasks import task

from relasi.activities import reminders


@task()
def deliver_reminder(reminder_id: int) -> bool:
    return reminders.deliver(reminder_id)
