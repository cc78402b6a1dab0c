"""The lifecycle stage the orders imply, beside the stage recorded on the customer.

The stage on a customer (customers.Lifecycle) is set by people and imports; nothing kept it in
step with purchases, so a "Former / lapsed" customer who bought last month could be an RFM
Champion. The stage is derived here from the mart's per-customer aggregate with the KPI
catalogue's one definition of "active" (a sale in the last `INACTIVE_DAYS` days, 180 by
default, `RELASI_INACTIVE_DAYS`):

* no sale ever → nothing to derive (suspect / prospect are a salesperson's call);
* last sale more than INACTIVE_DAYS ago → former / lapsed;
* active with 2+ orders → repeat customer; active with one order → customer.

"Advocate" is a judgement above repeat customer (it recommends us): an active advocate agrees
with the orders. Any other difference is a contradiction, flagged on the customer's page, in
the API and counted on the RFM page; the stage itself is changed only by people
(customers.actions.change_stage)."""

import datetime as dt
from typing import Any

from relasi.analytics import mart
from relasi.analytics.kpis import INACTIVE_DAYS

COMPATIBLE = {("advocate", "repeat"), ("advocate", "customer")}


def derive(orders: int | None, last_order: dt.date | None, as_of: dt.date,
           inactive_days: int = INACTIVE_DAYS) -> str | None:  # fmt: skip
    if not orders or last_order is None:
        return None
    if (as_of - last_order).days > inactive_days:
        return "former"
    return "repeat" if orders >= 2 else "customer"


def contradicts(recorded: str, derived: str | None) -> bool:
    return derived is not None and recorded != derived and (recorded, derived) not in COMPATIBLE


def check(customer: Any, as_of: dt.date) -> dict[str, Any] | None:
    """The recorded and derived stage of one customer (None without a mart or a sale)."""
    try:
        rows = mart.query(
            "SELECT orders, last_order_date FROM agg_customer WHERE customer_key = ?", [customer.pk]
        )
    except Exception:  # no mart yet
        return None
    if not rows:
        return None
    orders, last = rows[0]
    derived = derive(orders, last, as_of)
    if derived is None:
        return None
    recorded = customer.lifecycle_stage
    return {"recorded": recorded, "derived": derived, "orders": orders, "last_order": last,
            "contradiction": contradicts(recorded, derived)}  # fmt: skip


def contradiction_count(con: Any, as_of: dt.date, cond: str = "TRUE",
                        params: list[Any] | None = None) -> int:  # fmt: skip
    """Customers whose recorded stage the orders contradict (the same rules, in SQL); `cond`
    filters on `a.customer_key`."""
    row = con.execute(
        "WITH s AS (SELECT d.lifecycle_stage AS rec, CASE "  # noqa: S608
        "WHEN date_diff('day', a.last_order_date, ?::DATE) > ? THEN 'former' "
        "WHEN a.orders >= 2 THEN 'repeat' ELSE 'customer' END AS der "
        "FROM agg_customer a JOIN dim_customer d USING (customer_key) "
        f"WHERE a.orders > 0 AND {cond}) "
        "SELECT count(*) FROM s WHERE rec <> der "
        "AND NOT (rec = 'advocate' AND der IN ('repeat', 'customer'))",
        [as_of, INACTIVE_DAYS, *(params or [])],
    ).fetchone()
    return int(row[0])
