"""State changes of the customer-analytics pages (house rule 2): cost rates, event rules, and
churn follow-up tasks assigned to the customers' owners."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.analytics.insights_scope import Scope
from relasi.analytics.models_insights import CostActivity, CostRate, EventRule

# Until an administrator sets them: typical Indonesian SMB costs (rupiah), documented.
DEFAULT_RATES = {"call": Decimal(5_000), "visit": Decimal(150_000), "ticket": Decimal(25_000),
                 "campaign_message": Decimal(300)}  # fmt: skip


def cost_rates() -> dict[str, Decimal]:
    rates = {a: DEFAULT_RATES.get(a, Decimal(0)) for a in CostActivity.values}
    rates.update(dict(CostRate.objects.values_list("activity", "amount")))
    return rates


def set_cost_rates(actor: Any, values: dict[str, Any]) -> None:
    with transaction.atomic():
        for activity in CostActivity.values:
            amount = values.get(activity)
            if amount is None:
                continue
            CostRate.objects.update_or_create(
                activity=activity, defaults={"amount": amount, "updated_by": actor}
            )


def create_event_rule(actor: Any, data: dict[str, Any]) -> EventRule:
    return EventRule.objects.create(**data, created_by=actor)


def delete_event_rule(actor: Any, rule: EventRule) -> None:
    rule.delete()


def assign_churn_tasks(
    actor: Any, scope: Scope, customer_ids: list[int], *, due_in_days: int = 3
) -> int:
    """One open follow-up task per customer, owned by the customer's owner (the actor when the
    customer has none). Only customers the actor may see; none twice while one is open."""
    try:
        from relasi.activities import actions as activity_actions
        from relasi.activities.choices import OPEN_STATUSES, Kind
        from relasi.activities.models import Activity
    except ImportError:
        return 0
    from relasi.analytics import insights_hooks, insights_queries
    from relasi.core.access import visible_to
    from relasi.customers.models import Customer

    wanted = set(customer_ids)
    rows = {r["customer_key"]: r for r in insights_queries.churn_rows(scope, limit=None)
            if r["customer_key"] in wanted}  # fmt: skip
    customers = visible_to(actor, Customer.objects.filter(pk__in=list(rows))).select_related(
        "owner"
    )
    title_prefix = _("Churn risk follow-up")
    busy = set(
        Activity.objects.filter(customer__in=customers, status__in=OPEN_STATUSES,
                                title__startswith=title_prefix).values_list("customer_id", flat=True)
    )  # fmt: skip
    due = timezone.now() + dt.timedelta(days=max(0, min(due_in_days, 60)))
    made = 0
    for customer in customers:
        if customer.pk in busy:
            continue
        row = rows[customer.pk]
        reasons = "; ".join(insights_hooks.reason_texts(row))
        activity_actions.create_activity(
            actor,
            {
                "kind": Kind.TASK,
                "title": f"{title_prefix}: {customer.name}"[:200],
                "description": _("Churn risk %(risk)d %%. %(reasons)s")
                % {"risk": round(row["risk"] * 100), "reasons": reasons},
                "customer": customer,
                "owner": customer.owner or actor,
                "due_at": due,
            },
        )
        made += 1
    return made
