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
    # A team row holding only the part of the team the viewer may see (no team quota then).
    partial: bool = False

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


def _sellers_by_team(team_ids: set[int]) -> dict[int, set[int]]:
    """Who a team's figures are made of: its active members who may sell (sales "add")."""
    out: dict[int, set[int]] = {tid: set() for tid in team_ids}
    members = User.objects.filter(is_active=True, team_id__in=team_ids).select_related("role")
    for member in members:
        if member.team_id is not None and member.has_module_perm("sales", "add"):
            out[member.team_id].add(member.pk)
    return out


def build(
    user: Any, kind: str, start: dt.date, *, team_id: int | None = None, owner_id: int | None = None
) -> Row:
    """The top row with team rows, each with its reps (only what `user` may see).

    A viewer who sees only their own deals (a rep) gets their own row back: their figures
    and their own quota, no team rows. A team row carries the team's quota (its own, else
    the sum of its reps') only when the viewer sees every seller of the team; otherwise it
    is the viewer's part of the team (`partial`), with the sum of those reps' quotas."""
    from relasi.core.choices import Visibility

    end = periods.period_end(start, kind)
    deals = visible_to(user, Deal.objects.all())
    if team_id:
        deals = deals.filter(owner__team_id=team_id)
    if owner_id:
        deals = deals.filter(owner_id=owner_id)
    figures = figures_by_owner(deals, start, end)
    user_quota, team_quota = quotas(kind, start)
    visible_ids = _owner_ids(user)
    reps = [
        u
        for u in _visible_reps(user)
        if (not team_id or u.team_id == team_id) and (not owner_id or u.pk == owner_id)
    ]
    if visible_ids == {user.pk} and getattr(user, "pk", None) is not None:
        return _own_row(user, figures, user_quota)
    rep_ids = {u.pk for u in reps}
    sellers = _sellers_by_team({u.team_id for u in reps if u.team_id})
    teams: dict[int | None, Row] = {}
    whole = user.visibility == Visibility.ALL and not team_id and not owner_id
    company = Row(
        "company" if whole else "total",
        str(_company_label() if whole else _total_label()),
        ForecastScope.COMPANY,
    )
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
            )
            team_row.partial = bool(
                rep.team_id and not sellers.get(rep.team_id, set()) <= visible_ids
            )
        team_row.children.append(row)
        team_row.add(row)
    for tid, team_row in teams.items():
        reps_quota = sum((r.quota for r in team_row.children if r.quota), ZERO) or None
        team_row.quota = (
            (team_quota.get(tid) or _team_reps_quota(tid, user_quota))
            if tid and not team_row.partial
            else reps_quota
        )
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
    if not owner_id:
        total_quota = sum((r.quota or ZERO for r in company.children), ZERO)
        company.quota = total_quota or None
    return company


def sees_whole_team(user: Any, team_id: int) -> bool:
    """Whether `user` sees every seller of the team (only then do team totals and the team's
    quota belong together on their screen)."""
    return _sellers_by_team({team_id})[team_id] <= _owner_ids(user)


def _team_reps_quota(team_id: int, user_quota: dict[int, Decimal]) -> Decimal | None:
    """A team without its own quota: the sum of its members' quotas."""
    members = User.objects.filter(team_id=team_id).values_list("pk", flat=True)
    total = sum((user_quota[m] for m in members if m in user_quota), ZERO)
    return total or None


def _own_row(user: Any, figures: dict[int | None, dict[str, Any]], user_quota: Any) -> Row:
    row = Row(
        f"u{user.pk}",
        str(user),
        ForecastScope.REP,
        user_id=user.pk,
        team_id=user.team_id,
        quota=user_quota.get(user.pk),
    )
    for k, v in figures.get(user.pk, {}).items():
        setattr(row, k, v)
    return row


def _total_label() -> Any:
    from django.utils.translation import gettext_lazy as _

    return _("Total (the people you see)")


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
    user_ids: set[int] | None = None,
    actual: Decimal | None = None,
) -> Accuracy | None:
    """What was forecast at the start of the period against what was actually won.
    `user_ids` sums the rep snapshots of those people (a manager's own people)."""
    if user_ids is not None:
        scope = ForecastScope.REP
    qs = ForecastSnapshot.objects.filter(period_kind=kind, period_start=start, scope=scope)
    if user_id:
        qs = qs.filter(user_id=user_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    tz = timezone.get_current_timezone()
    end_dt = dt.datetime.combine(periods.period_end(start, kind), dt.time.min, tzinfo=tz)
    first = qs.filter(taken_at__lt=end_dt).order_by("taken_at", "pk").first()
    if first is None:
        return None
    at_start = list(qs.filter(taken_at=first.taken_at))
    forecast_value = sum((r.closed_won + r.commit for r in at_start), ZERO)
    weighted = sum((r.weighted for r in at_start), ZERO)
    if actual is None:
        last = qs.order_by("-taken_at", "-pk").first()
        actual = (
            sum((r.closed_won for r in qs.filter(taken_at=last.taken_at)), ZERO) if last else ZERO
        )
    acc = None
    if forecast_value:
        acc = max(0.0, 100 * (1 - float(abs(actual - forecast_value) / forecast_value)))
    return Accuracy(
        periods.label(start, kind), forecast_value, weighted, actual, acc, first.taken_at
    )


def accuracy_for(user: Any, top: Row, kind: str, start: dt.date) -> Accuracy | None:
    """Last period's accuracy at the viewer's own level: the company for those who see
    everything, their own snapshots for a rep, their people's for a manager."""
    if top.scope == ForecastScope.REP:
        return accuracy(
            kind, start, scope=ForecastScope.REP, user_id=top.user_id, actual=top.closed_won
        )
    if top.key == "company":
        return accuracy(kind, start, actual=top.closed_won)
    ids = {r.user_id for t in top.children for r in t.children if r.user_id}
    return accuracy(kind, start, user_ids=ids, actual=top.closed_won) if ids else None


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
