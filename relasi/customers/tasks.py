"""Thin task wrappers (house style): take ids, call the action."""

from django.tasks import task

from relasi.core import jobs
from relasi.customers import duplicates


@task()
def scan_duplicates(job_id: str) -> None:
    with jobs.running(job_id) as job:
        duplicates.scan_database(job)
