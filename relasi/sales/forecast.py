"""Forecast math: weighted pipeline, forecast categories, quota and closed-won, per rep, team
and company for a month or a quarter; accuracy against the snapshot taken at period start.

Definitions (also in docs/sales.md):
- open deals of a period: status open and expected close date inside the period;
- weighted = Σ value × stage probability / 100 over open deals;
- commit / best case / pipeline = Σ value of open deals by effective category (the manager's
  override when set, else the rep's);
- closed-won = Σ value of deals won (closed) inside the period;
- forecast = closed-won + commit; best-case forecast = forecast + best case;
- accuracy of a past period = 100 × (1 − |actual − forecast at start| / forecast at start),
  floored at 0, where "forecast at start" is the first snapshot taken in the period.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, Count, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from relasi.accounts.models import Team, User
from relasi.core.access import visible_to
from relasi.sales import periods
from relasi.sales.choices import DealStatus, ForecastScope
from relasi.sales.models import Deal, ForecastSnapshot, Quota

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=20, decimal_places=2)


@dataclass
class Row:
    key: str
    label: str
    scope: str
    user_id: int | None = None
    team_id: int | None = None
    weighted: Decimal = ZERO
    commit: Decimal = ZERO
    best_case: Decimal = ZERO
    pipeline: Decimal = ZERO
    closed_won: Decimal = ZERO
    open_deals: int = 0
    quota: Decimal | None = None
    children: list["Row"] = field(default_factory=list)

    @property
    def forecast(self) -> Decimal:
        return self.closed_won + self.commit

    @property
    def best_case_forecast(self) -> Decimal:
        return self.forecast + self.best_case

    @property
    def attainment(self) -> float | None:
        if not self.quota:
            return None
        return float(self.closed_won / self.quota * 100)

    @property
    def forecast_attainment(self) -> float | None:
        if not self.quota:
            return None
        return float(self.forecast / self.quota * 100)

    def add(self, other: "Row") -> None:
        for name in ("weighted", "commit", "best_case", "pipeline", "closed_won"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.open_deals += other.open_deals


def _effective() -> Coalesce:
    return Coalesce(
        NullIf(F("forecast_override"), Value("")), F("forecast_category"), output_field=CharField()
    )


def figures_by_owner(deals: Any, start: dt.date, end: dt.date) -> dict[int | None, dict[str, Any]]:
    """One grouped query for open deals closing in the period, one for deals won in it."""
    tz = timezone.get_current_timezone()
    start_dt = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_dt = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    currency = settings.DEFAULT_CURRENCY
    out: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {
            "weighted": ZERO,
            "commit": ZERO,
            "best_case": ZERO,
            "pipeline": ZERO,
            "closed_won": ZERO,
            "open_deals": 0,
        }
    )
    open_rows = (
        deals.filter(
            status=DealStatus.OPEN,
            currency=currency,
            expected_close_date__gte=start,
            expected_close_date__lt=end,
        )
        .annotate(cat=_effective())
        .values("owner_id")
        .annotate(
            weighted=Coalesce(
                Sum(F("value") * F("stage__probability"), output_field=MONEY),
                Value(ZERO),
                output_field=MONEY,
            ),
            commit=Coalesce(
                Sum(
                    Case(
                        When(cat="commit", then=F("value")), default=Value(ZERO), output_field=MONEY
                    )
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            best_case=Coalesce(
                Sum(
                    Case(
                        When(cat="best_case", then=F("value")),
                        default=Value(ZERO),
                        output_field=MONEY,
                    )
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            pipeline=Coalesce(
                Sum(
                    Case(
                        When(cat="pipeline", then=F("value")),
                        default=Value(ZERO),
                        output_field=MONEY,
                    )
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            n=Count("id"),
        )
        .order_by()
    )
    for r in open_rows:
        row = out[r["owner_id"]]
        row["weighted"] = (Decimal(r["weighted"]) / 100).quantize(Decimal("0.01"))
        row["commit"], row["best_case"], row["pipeline"] = (
            Decimal(r["commit"]),
            Decimal(r["best_case"]),
            Decimal(r["pipeline"]),
        )
        row["open_deals"] = r["n"]
    won_rows = (
        deals.filter(
            status=DealStatus.WON, currency=currency, closed_at__gte=start_dt, closed_at__lt=end_dt
        )
        .values("owner_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for r in won_rows:
        out[r["owner_id"]]["closed_won"] = Decimal(r["total"] or 0)
    return out


def quotas(kind: str, start: dt.date) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    by_user: dict[int, Decimal] = {}
    by_team: dict[int, Decimal] = {}
    for q in Quota.objects.filter(period_kind=kind, period_start=start):
        if q.user_id:
            by_user[q.user_id] = q.amount
        elif q.team_id:
            by_team[q.team_id] = q.amount
    return by_user, by_team


def _visible_reps(user: Any) -> list[User]:
    qs = (
        User.objects.filter(is_active=True)
        .select_related("team")
        .order_by("first_name", "username")
    )
    return list(qs.filter(pk__in=_owner_ids(user)))


def _owner_ids(user: Any) -> set[int]:
    from relasi.core.choices import Visibility

    scope = user.visibility
    if scope == Visibility.ALL:
        return set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    if scope == Visibility.SUBORDINATES:
        return set(user.subordinate_ids())
    if scope == Visibility.TEAM and user.team_id:
        return set(User.objects.filter(team_id=user.team_id).values_list("pk", flat=True)) | {
            user.pk
        }
    return {user.pk}


def build(
    user: Any, kind: str, start: dt.date, *, team_id: int | None = None, owner_id: int | None = None
) -> Row:
    """The company row with team rows, each with its reps (only what `user` may see)."""
    end = periods.period_end(start, kind)
    deals = visible_to(user, Deal.objects.all())
    if team_id:
        deals = deals.filter(owner__team_id=team_id)
    if owner_id:
        deals = deals.filter(owner_id=owner_id)
    figures = figures_by_owner(deals, start, end)
    user_quota, team_quota = quotas(kind, start)
    reps = [
        u
        for u in _visible_reps(user)
        if (not team_id or u.team_id == team_id) and (not owner_id or u.pk == owner_id)
    ]
    rep_ids = {u.pk for u in reps}
    teams: dict[int | None, Row] = {}
    company = Row("company", str(_company_label()), ForecastScope.COMPANY)
    team_names = dict(Team.objects.values_list("pk", "name"))
    for rep in reps:
        fig = figures.get(rep.pk)
        if fig is None and rep.pk not in user_quota:
            continue
        row = Row(
            f"u{rep.pk}",
            str(rep),
            ForecastScope.REP,
            user_id=rep.pk,
            team_id=rep.team_id,
            quota=user_quota.get(rep.pk),
        )
        for k, v in (fig or {}).items():
            setattr(row, k, v)
        team_row = teams.get(rep.team_id)
        if team_row is None:
            team_row = teams[rep.team_id] = Row(
                f"t{rep.team_id}",
                team_names.get(rep.team_id, "—") if rep.team_id else "—",
                ForecastScope.TEAM,
                team_id=rep.team_id,
                quota=team_quota.get(rep.team_id) if rep.team_id else None,
            )
        team_row.children.append(row)
        team_row.add(row)
    # Deals of owners outside the rep list (inactive users, no owner) still count for the company.
    for owner, fig in figures.items():
        if owner not in rep_ids:
            extra = Row("other", "—", ForecastScope.REP)
            for k, v in fig.items():
                setattr(extra, k, v)
            company.add(extra)
    for team_row in sorted(teams.values(), key=lambda r: r.label):
        company.children.append(team_row)
        company.add(team_row)
    if not team_id and not owner_id:
        total_quota = sum((r.quota or ZERO for r in company.children), ZERO)
        company.quota = total_quota or None
    return company


def _company_label() -> Any:
    from django.utils.translation import gettext_lazy as _

    return _("Company")


def snapshot(kind: str, start: dt.date, *, taken_at: dt.datetime | None = None) -> int:
    """Store the forecast for the period as it stands now (company, teams, reps)."""
    from relasi.accounts.models import User as U

    system = U(is_superuser=True, is_active=True)  # unsaved: sees everything
    company = build(system, kind, start)
    taken = taken_at or timezone.now()
    rows = []

    def add(r: Row) -> None:
        rows.append(
            ForecastSnapshot(
                taken_at=taken,
                period_kind=kind,
                period_start=start,
                scope=r.scope,
                user_id=r.user_id if r.scope == ForecastScope.REP else None,
                team_id=r.team_id if r.scope == ForecastScope.TEAM else None,
                weighted=r.weighted,
                commit=r.commit,
                best_case=r.best_case,
                pipeline=r.pipeline,
                closed_won=r.closed_won,
                quota=r.quota,
                open_deals=r.open_deals,
            )
        )

    add(company)
    for team in company.children:
        if team.team_id:
            add(team)
        for rep in team.children:
            add(rep)
    ForecastSnapshot.objects.bulk_create(rows)
    return len(rows)


@dataclass
class Accuracy:
    period: str
    forecast: Decimal
    weighted: Decimal
    actual: Decimal
    accuracy: float | None
    taken_at: dt.datetime


def accuracy(
    kind: str,
    start: dt.date,
    *,
    scope: str = ForecastScope.COMPANY,
    user_id: int | None = None,
    team_id: int | None = None,
    actual: Decimal | None = None,
) -> Accuracy | None:
    """What was forecast at the start of the period against what was actually won."""
    qs = ForecastSnapshot.objects.filter(period_kind=kind, period_start=start, scope=scope)
    if user_id:
        qs = qs.filter(user_id=user_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    tz = timezone.get_current_timezone()
    end_dt = dt.datetime.combine(periods.period_end(start, kind), dt.time.min, tzinfo=tz)
    first = qs.filter(taken_at__lt=end_dt).order_by("taken_at", "pk").first()
    if first is None:
        return None
    forecast_value = first.closed_won + first.commit
    if actual is None:
        last = qs.order_by("-taken_at", "-pk").first()
        actual = last.closed_won if last else ZERO
    acc = None
    if forecast_value:
        acc = max(0.0, 100 * (1 - float(abs(actual - forecast_value) / forecast_value)))
    return Accuracy(
        periods.label(start, kind), forecast_value, first.weighted, actual, acc, first.taken_at
    )


def deals_in_period(
    user: Any, kind: str, start: dt.date, *, owner_id: int | None = None, team_id: int | None = None
) -> Any:
    end = periods.period_end(start, kind)
    qs = visible_to(
        user,
        Deal.objects.filter(
            status=DealStatus.OPEN, expected_close_date__gte=start, expected_close_date__lt=end
        ),
    )
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if team_id:
        qs = qs.filter(owner__team_id=team_id)
    return qs.select_related("owner", "stage", "customer").order_by("-value", "pk")
