"""What slice of the mart a customer-analytics query looks at: the period, the store, channel and
team filters of the pages, and the record visibility of the user asking (a sales rep sees only
their own customers, a team-scoped user their team's, a manager their subordinates').

The mart has no row-level security, so visibility is applied here as a customer filter that
mirrors `relasi.core.access.visibility_q` on `dim_customer` (owner_key, team_key and the
owner's team in `dim_owner`)."""

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone

from relasi.core.choices import Visibility


@dataclass(frozen=True)
class Scope:
    as_of: dt.date | None = None  # last day included; None = today
    start: dt.date | None = None  # first day included; None = all history
    store: int | None = None
    channel: str | None = None
    team: int | None = None  # the order's team (filter)
    # Visibility: None = every customer; else customers owned by `vis_owners` or in `vis_team`.
    vis_owners: tuple[int, ...] | None = None
    vis_team: int | None = None

    @property
    def end(self) -> dt.date:
        return self.as_of or timezone.localdate()

    @property
    def restricted(self) -> bool:
        return self.vis_owners is not None or self.vis_team is not None

    @property
    def filtered(self) -> bool:
        return bool(self.start or self.store or self.channel or self.team or self.as_of)

    def is_default(self) -> bool:
        """True when the page can read the tables materialised at refresh time."""
        return not self.filtered and not self.restricted

    def key(self) -> str:
        raw = repr((self.end, self.start, self.store, self.channel, self.team, self.vis_owners,
                    self.vis_team))  # fmt: skip
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]

    def with_(self, **kw: Any) -> "Scope":
        return replace(self, **kw)


def for_user(user: Any, **filters: Any) -> Scope:
    """The scope of `user` with the page filters applied."""
    scope = Scope(**filters)
    if user is None:
        return scope
    vis = user.visibility
    if vis == Visibility.ALL:
        return scope
    if vis == Visibility.TEAM and user.team_id:
        return scope.with_(vis_owners=(user.pk,), vis_team=user.team_id)
    if vis == Visibility.SUBORDINATES:
        return scope.with_(vis_owners=tuple(sorted(user.subordinate_ids())))
    return scope.with_(vis_owners=(user.pk,))


def visible_customers(scope: Scope, column: str = "customer_key") -> tuple[str, list[Any]]:
    """SQL condition on `column` limiting it to the customers the scope may see."""
    if not scope.restricted:
        return "TRUE", []
    parts: list[str] = []
    params: list[Any] = []
    if scope.vis_owners:
        parts.append("c.owner_key IN (SELECT unnest(?::BIGINT[]))")
        params.append(list(scope.vis_owners))
    if scope.vis_team is not None:
        parts.append("c.team_key = ? OR o.team_key = ?")
        params += [scope.vis_team, scope.vis_team]
    if not parts:
        return "FALSE", []
    cond = " OR ".join(f"({p})" for p in parts)
    return (
        f"{column} IN (SELECT c.customer_key FROM dim_customer c LEFT JOIN dim_owner o "  # noqa: S608
        f"ON o.owner_key = c.owner_key WHERE {cond})",
        params,
    )


def orders_where(scope: Scope, alias: str = "o", *, period: bool = True) -> tuple[str, list[Any]]:
    """Conditions on fact_order (or fact_order_line) rows: sales of known customers in scope.
    `period=False` leaves out the start date (cohorts need the whole history to find a
    customer's first purchase)."""
    a = f"{alias}." if alias else ""
    parts = [f"{a}is_sale", f"{a}customer_key IS NOT NULL", f"{a}order_date <= ?"]
    params: list[Any] = [scope.end]
    if period and scope.start:
        parts.append(f"{a}order_date >= ?")
        params.append(scope.start)
    if scope.store:
        parts.append(f"{a}store_key = ?")
        params.append(scope.store)
    if scope.channel:
        parts.append(f"{a}channel = ?")
        params.append(scope.channel)
    if scope.team:
        parts.append(f"{a}team_key = ?")
        params.append(scope.team)
    vis, vis_params = visible_customers(scope, f"{a}customer_key")
    parts.append(vis)
    params += vis_params
    return " AND ".join(parts), params
