"""The automatic mart refresh after imports and batch API calls: one task queued at a time
(debounced), delayed so a burst becomes one refresh, and one follow-up when a change arrives
while a refresh runs. A queueing backend (Django's dummy backend) stands in for the worker."""

import datetime as dt

import pytest
from django.utils import timezone

from relasi.analytics import mart, refresh
from relasi.analytics.models import MartLock, MartRefresh
from relasi.analytics.tasks import refresh_mart_task
from relasi.commerce.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = refresh_mart_task.get_backend()
    backend.results.clear()
    return backend.results


def _triggers(queue) -> list[str]:
    return [r.kwargs["trigger"] for r in queue]


def test_one_task_while_one_is_queued(queue):
    before = timezone.now()
    assert refresh.request("import") is True
    assert refresh.request("api") is False  # one is queued: its run will see this change too
    assert _triggers(queue) == ["import"]
    task = queue[0]
    assert task.kwargs["queued"] is True
    assert task.task.run_after >= before + dt.timedelta(seconds=59)  # a burst becomes one run
    # The worker runs it: no longer queued, so the next change queues a new one.
    log = refresh.run(trigger="import", queued=True)
    assert log.status == "succeeded" and MartLock.objects.get().queued_until is None
    assert _triggers(queue) == ["import"]  # the change came before the run: no follow-up
    assert refresh.request("api") is True and _triggers(queue) == ["import", "api"]


def test_change_during_a_run_queues_one_follow_up(queue):
    answers = []

    def change_arrives(con, changed):
        answers.append(refresh.request("api"))  # a refresh is running: not queued now

    mart.register_post_refresh(change_arrives)
    try:
        mart.refresh(trigger="cron")
    finally:
        mart._post_refresh.remove(change_arrives)
    assert answers == [False]
    assert _triggers(queue) == ["follow-up"]  # ... but right after the run
    assert refresh.request("api") is False  # and only once


def test_running_refresh_blocks_queueing_and_a_dead_queue_expires(queue):
    assert refresh.acquire("someone-else")
    assert refresh.request("import") is False
    refresh.release("someone-else")
    assert refresh.request("import") is True
    # The worker never ran it (it died): after the lease the claim expires.
    MartLock.objects.update(queued_until=timezone.now() - dt.timedelta(seconds=1))
    assert refresh.request("import") is True and len(queue) == 2


def test_queued_task_skipped_by_a_running_refresh_is_no_longer_queued(queue):
    assert refresh.request("import") is True
    assert refresh.acquire("cron-run")
    log = refresh.run(trigger="import", queued=True)
    assert log.status == "skipped" and MartLock.objects.get().queued_until is None


def test_switched_off(queue, settings):
    settings.RELASI_MART_AUTO_REFRESH = False
    assert refresh.request("import") is False and queue == []


def test_batch_api_call_queues_a_refresh(queue, personas, django_capture_on_commit_callbacks):
    from relasi.commerce import actions

    p = f.product(sku="RC-01")
    batch = [{"source": "pos", "external_id": f"B-{i}", "lines": [{"product_id": p.pk}]}
             for i in range(3)]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        actions.ingest_batch(personas.admin, batch)
    assert _triggers(queue) == ["api"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.ingest_batch(personas.admin, batch)  # unchanged: nothing to refresh
        actions.ingest_batch(personas.admin, [{**batch[0], "lines": [{"sku": "NOPE"}]}])
    assert _triggers(queue) == ["api"]


def test_immediate_backend_runs_it_at_once(personas, django_capture_on_commit_callbacks):
    """Under `make run`'s single worker the task runs later; with immediate tasks (tests,
    RELASI_TASKS_IMMEDIATE) it runs inside the request, once."""
    from relasi.commerce import actions

    p = f.product(sku="RC-01")
    with django_capture_on_commit_callbacks(execute=True):
        actions.ingest_batch(
            personas.admin, [{"external_id": "X-1", "lines": [{"product_id": p.pk}]}]
        )
    assert list(MartRefresh.objects.values_list("trigger", "status")) == [("api", "succeeded")]
    assert mart.query("SELECT count(*) FROM fact_order") == [(1,)]
    assert MartLock.objects.get().queued_until is None


def test_mart_status_shows_a_queued_refresh(queue, personas, as_user):
    page = as_user(personas.admin).get("/analytics/mart/")
    assert b'id="mart-queued"' not in page.content
    refresh.request("import")
    page = as_user(personas.admin).get("/analytics/mart/")
    assert page.status_code == 200 and b'id="mart-queued"' in page.content
