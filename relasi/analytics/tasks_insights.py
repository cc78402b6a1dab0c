"""Thin task wrappers for the customer models: nightly churn retraining and event checks."""

from typing import Any

from django.tasks import task


@task()
def train_churn_task(horizon: int = 90, refresh: bool = True) -> dict[str, Any]:
    from relasi.analytics import insights

    return insights.retrain_churn(horizon=horizon, refresh=refresh, trigger="task")


@task()
def check_events_task() -> int:
    from relasi.analytics import monitoring

    return monitoring.evaluate()
