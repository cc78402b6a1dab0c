"""Retrain the churn model (time-based hold-out, then refit) and re-score customers.

Cron (nightly, after the mart refresh):  15 2 * * *  manage.py train_churn
"""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Retrain the churn model on the data mart and re-score customers (nightly)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--horizon", type=int, default=90, help="Churn = no purchase in N days."
        )
        parser.add_argument(
            "--no-refresh", action="store_true", help="Train only; score at the next refresh."
        )
        parser.add_argument("--queue", action="store_true", help="Enqueue as a background task.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["queue"]:
            from relasi.analytics.tasks_insights import train_churn_task

            train_churn_task.enqueue(horizon=opts["horizon"], refresh=not opts["no_refresh"])
            self.stdout.write("queued")
            return
        from relasi.analytics import insights

        out = insights.retrain_churn(horizon=opts["horizon"], refresh=not opts["no_refresh"],
                                     trigger="command")  # fmt: skip
        m = out["metrics"]
        auc = f"{m['auc']:.3f}" if m.get("auc") is not None else "—"
        p10 = f"{m['precision_top10']:.2f}" if m.get("precision_top10") is not None else "—"
        self.stdout.write(
            f"churn model {'trained' if out['ok'] else 'not trained (one class only)'}: "
            f"hold-out AUC {auc}, precision@10% {p10}, test customers {m.get('test_n', 0)}"
        )
