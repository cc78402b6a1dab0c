"""Event monitoring: administrators' thresholds evaluated against the customer models.

Each crossing raises one `EventAlert` (unique per rule and crossing), notifies the customer's
owner (an in-app notification from the activities app; e-mail when that app is absent) and
shows on the customer's timeline. What identifies a crossing:

* spend passes an amount — the customer (lifetime revenue only passes once);
* P(alive) below a level — the customer and their last purchase date (a new purchase lifts
  P(alive) again; dropping below later is a new crossing);
* VIP without purchase for N days — the customer and their last purchase date;
* a segment shrinks by X % — the segment and the month of the snapshot.
"""

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger("relasi.analytics.monitoring")


# The messages are put into words when read, in the reader's language.
def _spend_text(amount: float, value: float) -> str:
    from relasi.core.formatting import money

    return _("Total spend passed %(amount)s (now %(value)s).") % {
        "amount": money(amount),
        "value": money(value),
    }


def _alive_text(p: float, level: float) -> str:
    return _("P(alive) fell to %(p)d %% (below %(level)d %%).") % {
        "p": round(p * 100),
        "level": round(level * 100),
    }


def _vip_text(days: int) -> str:
    return _("VIP without a purchase for %(days)d days.") % {"days": days}


def _candidates(con: Any, rule: Any) -> list[tuple[str, int | None, float, Callable[[], str]]]:
    """(crossing, customer, value, message) for everything past the rule's threshold now. The
    message is a function, so each recipient reads it in their own language."""
    from relasi.analytics import rfm
    from relasi.analytics.models_insights import EventKind

    amount = float(rule.amount)
    if rule.kind == EventKind.SPEND_PASSES:
        rows = con.execute(
            "SELECT customer_key, revenue FROM agg_customer WHERE revenue >= ?", [amount]
        ).fetchall()
        return [(f"c{k}", k, v, partial(_spend_text, amount, v)) for k, v in rows]  # fmt: skip
    if rule.kind == EventKind.P_ALIVE_BELOW:
        rows = con.execute(
            "SELECT c.customer_key, c.p_alive, a.last_order_date FROM ins_clv c "
            "JOIN agg_customer a USING (customer_key) WHERE c.p_alive < ?",
            [amount],
        ).fetchall()
        return [(f"c{k}:{last}", k, p, partial(_alive_text, p, amount)) for k, p, last in rows]  # fmt: skip
    if rule.kind == EventKind.VIP_INACTIVE:
        conds, params = [], []
        if rule.vip_tag:
            conds.append("d.tags LIKE ?")
            params.append(f"%|{rule.vip_tag}|%")
        if rule.segment:
            conds.append("r.segment = ?")
            params.append(rule.segment)
        if not conds:
            return []
        rows = con.execute(
            "SELECT a.customer_key, date_diff('day', a.last_order_date, current_date), "  # noqa: S608
            "a.last_order_date FROM agg_customer a JOIN dim_customer d USING (customer_key) "
            "LEFT JOIN ins_rfm r USING (customer_key) "
            f"WHERE ({' OR '.join(conds)}) AND a.last_order_date <= current_date - ?::INTEGER",
            [*params, rule.days],
        ).fetchall()
        return [(f"c{k}:{last}", k, float(days), partial(_vip_text, days)) for k, days, last in rows]  # fmt: skip
    if rule.kind == EventKind.SEGMENT_SHRINKS:
        rows = con.execute(
            "SELECT month, customers FROM ins_rfm_monthly WHERE segment = ? ORDER BY month DESC "
            "LIMIT 2",
            [rule.segment],
        ).fetchall()
        if len(rows) < 2 or not rows[1][1]:
            return []
        (month, now), (_m, before) = rows
        drop = (before - now) / before * 100
        if drop < amount:
            return []
        label = rfm.LABELS.get(rule.segment, rule.segment)
        return [(f"s{rule.segment}:{month}", None, drop, lambda:
                 _("Segment %(segment)s shrank by %(drop)d %% (%(before)d → %(now)d customers).")
                 % {"segment": str(label), "drop": round(drop), "before": before, "now": now})]  # fmt: skip
    return []


def evaluate(con: Any = None) -> int:
    """Evaluate every active rule; returns the number of new alerts."""
    from relasi.analytics import mart
    from relasi.analytics.models_insights import EventAlert, EventRule

    rules = list(EventRule.objects.filter(active=True))
    if not rules:
        return 0
    if con is None:
        with mart.reader() as reader:
            return _evaluate(reader, rules, EventAlert)
    return _evaluate(con, rules, EventAlert)


def _evaluate(con: Any, rules: list[Any], alert_model: Any) -> int:
    from relasi.customers.models import Customer

    raised = 0
    for rule in rules:
        try:
            found = _candidates(con, rule)
        except Exception:  # a table missing in an old snapshot: skip this rule
            log.warning("rule skipped", extra={"event": "insights.rule_skipped", "rule": rule.pk})
            continue
        seen = set(
            alert_model.objects.filter(rule=rule, crossing__in=[f[0] for f in found]).values_list(
                "crossing", flat=True
            )
        )
        new = [f for f in found if f[0] not in seen]
        owners = dict(
            Customer.objects.filter(pk__in=[f[1] for f in new if f[1]]).values_list(
                "pk", "owner_id"
            )
        )
        for crossing, customer_id, value, message in new:
            if customer_id is not None and customer_id not in owners:
                continue  # deleted since the refresh
            try:
                with transaction.atomic():
                    alert = alert_model.objects.create(
                        rule=rule, crossing=crossing, customer_id=customer_id, value=value,
                        message=_in_default_language(message)[:300],
                        notified_id=owners.get(customer_id) if rule.notify_owner and customer_id else None,
                    )  # fmt: skip
            except IntegrityError:  # raised meanwhile by another evaluation
                continue
            raised += 1
            if rule.notify_owner:
                _notify(alert, rule, message)
    return raised


def _notify(alert: Any, rule: Any, message: Callable[[], str]) -> None:
    from relasi.accounts.models import User

    recipients: list[Any] = []
    if alert.notified_id:
        recipients = list(User.objects.filter(pk=alert.notified_id, is_active=True))
    else:  # a segment-level alert: the administrators
        recipients = list(User.objects.filter(is_active=True, role__slug="administrator")[:20])
    url = alert.customer.get_absolute_url() if alert.customer_id else ""
    prefix = f"{rule.name} · {alert.customer}" if alert.customer_id else rule.name
    try:
        from relasi.activities.actions import notify
    except ImportError:
        notify = None  # type: ignore[assignment]
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            text = f"{prefix}: {message()}"
        if notify is not None:
            notify(user, text, url, kind="insight_event")
        elif user.email:
            from django.core.mail import send_mail

            send_mail(rule.name, text, None, [user.email], fail_silently=True)


def _in_default_language(message: Callable[[], str]) -> str:
    """The alert's own record (events page, timeline) in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return message()
