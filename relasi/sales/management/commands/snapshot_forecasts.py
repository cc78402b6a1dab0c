"""Store the forecast of the current month and quarter (company, teams, reps), so the
forecast page can later compare "what we forecast at the start of the period" with what was
actually won. Also closes the previous period once: a final snapshot after it ended.

Cron, daily shortly after midnight (the first snapshot of a period is its "forecast at start"):

    5 0 * * *  cd /srv/relasi && .venv/bin/python manage.py snapshot_forecasts
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from relasi.sales import forecast, periods
from relasi.sales.choices import PeriodKind
from relasi.sales.models import ForecastSnapshot


class Command(BaseCommand):
    help = "Snapshot the current month's and quarter's forecast (and close the previous periods)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        total = 0
        for kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
            start = periods.period_start(today, kind)
            total += forecast.snapshot(kind, start)
            prev = periods.previous(start, kind)
            closed = ForecastSnapshot.objects.filter(
                period_kind=kind, period_start=prev, taken_at__date__gte=start
            ).exists()
            if not closed:  # the period-close snapshot: final closed-won of the last period
                total += forecast.snapshot(kind, prev)
        self.stdout.write(f"{total} forecast snapshot rows written")
