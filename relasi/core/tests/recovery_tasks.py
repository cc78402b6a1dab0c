"""A task for the kill -9 scenario (scenario_recovery.py): it sends an e-mail, then counts to
10 with progress, and on its first run stops at 4 until the worker is killed."""

import os
import time
from pathlib import Path

from django.core.mail import send_mail
from django.tasks import task

from relasi.core import jobs


@task()
def slow_job(job_id: str) -> None:
    with jobs.running(job_id) as job:
        first_run = job.attempts == 0
        send_mail("Your report is ready", "It is attached.", None, ["owner@example.test"])
        for step in range(job.progress_done, 10):
            jobs.progress(job, step + 1, 10)
            if first_run and step == 3:
                Path(os.environ["RELASI_SCENARIO_FLAG"]).touch()
                while True:  # wait here for the kill -9
                    time.sleep(0.05)
        job.result = {"steps": 10}
