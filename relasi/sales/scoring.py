"""Lead scoring: transparent rules an administrator defines.

score = Σ demographic points + (Σ behavioural points) × ½^(days since last activity / N)

where N is `ScoreSettings.half_life_days` (0 = no decay). Every contribution is kept as a
language-neutral reason — a code with its parameters ({"code": "rule", "rule_id", "kind",
"points", "count"} or {"code": "decay", "days", "half_life", "points"}) — and put into words
only when shown (`explain`), in the viewer's language, so a rep can see why a lead is hot. Recalculated whenever a lead changes and nightly (`manage.py rescore_leads`) because the
decay moves scores without any change to the lead.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from relasi.sales.choices import ScoreKind, ScoreOperator
from relasi.sales.models import Lead, LeadEvent, ScoreSettings, ScoringRule


def _field_value(lead: Lead, field: str) -> Any:
    if field == "product_interest":
        return lead.product_interest.name if lead.product_interest_id else lead.interest
    if field == "consent":
        return "yes" if lead.consent else ""
    return getattr(lead, field, "")


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None


def matches(rule: ScoringRule, lead: Lead) -> bool:
    value = _field_value(lead, rule.field)
    text = str(value or "").strip().lower()
    wanted = (rule.value or "").strip().lower()
    op = rule.operator
    if op == ScoreOperator.IS_SET:
        return bool(text) and text not in ("0", "0.00")
    if op == ScoreOperator.EQUALS:
        return text in [w.strip() for w in wanted.split(",") if w.strip()]
    if op == ScoreOperator.CONTAINS:
        return bool(wanted) and wanted in text
    a, b = _number(value), _number(rule.value)
    if a is None or b is None:
        return False
    return a >= b if op == ScoreOperator.GTE else a <= b


def decay_factor(last_activity: dt.datetime | None, half_life_days: int, now: dt.datetime) -> float:
    if not half_life_days or last_activity is None:
        return 1.0
    days = max(0.0, (now - last_activity).total_seconds() / 86400)
    return float(0.5 ** (days / half_life_days))


def compute(
    lead: Lead,
    rules: list[ScoringRule] | None = None,
    *,
    event_counts: Counter | None = None,
    half_life_days: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """(score, reasons) for `lead`; pass rules/counts/settings to score many leads cheaply."""
    now = now or timezone.now()
    if rules is None:
        rules = list(ScoringRule.objects.filter(active=True))
    if half_life_days is None:
        half_life_days = ScoreSettings.current().half_life_days
    if event_counts is None:
        event_counts = Counter(LeadEvent.objects.filter(lead=lead).values_list("kind", flat=True))
    reasons: list[dict[str, Any]] = []
    demographic = 0
    behavioural = 0
    for rule in rules:
        # "rule" keeps the rule's name as it was, for rules deleted since.
        reason = {"code": "rule", "rule_id": rule.pk, "rule": rule.name, "kind": rule.kind}
        if rule.kind == ScoreKind.DEMOGRAPHIC:
            if rule.field and matches(rule, lead):
                demographic += rule.points
                reasons.append({**reason, "points": rule.points})
        elif rule.event and event_counts.get(rule.event):
            count = event_counts[rule.event]
            pts = rule.points * count
            if rule.max_points is not None:
                pts = min(pts, rule.max_points) if pts >= 0 else max(pts, -rule.max_points)
            behavioural += pts
            reasons.append({**reason, "points": pts, "count": count})
    factor = decay_factor(lead.last_activity_at, half_life_days, now)
    decayed = round(behavioural * factor)
    if behavioural and decayed != behavioural and lead.last_activity_at is not None:
        days = int((now - lead.last_activity_at).total_seconds() // 86400)
        reasons.append(
            {
                "code": "decay",
                "kind": "decay",
                "days": days,
                "half_life": half_life_days,
                "points": decayed - behavioural,
            }
        )
    return demographic + decayed, reasons


def _condition(rule: ScoringRule) -> str:
    """What the rule looks at, in the active language ("Company is filled in")."""
    if rule.kind == ScoreKind.DEMOGRAPHIC:
        parts = [str(rule.get_field_display()), str(rule.get_operator_display())]
        if rule.operator != ScoreOperator.IS_SET and rule.value:
            parts.append(rule.value)
        return " ".join(parts)
    return str(rule.get_event_display())


def explain(reasons: list[dict[str, Any]], language: str | None = None) -> list[dict[str, Any]]:
    """The stored reasons put into words in the viewer's language (or `language`):
    each gets "text" (the rule's name in that language, or the decay sentence) and "detail"
    (the rule's condition and the count of events)."""
    if language:
        with override(language):
            return explain(reasons)
    ids = {r["rule_id"] for r in reasons if r.get("rule_id")}
    rules = {r.pk: r for r in ScoringRule.objects.filter(pk__in=ids)} if ids else {}
    out = []
    for r in reasons:
        code = r.get("code")
        if code == "decay":
            text = _("Decay: %(days)s days without activity (halves every %(n)s days)") % {
                "days": r.get("days", 0),
                "n": r.get("half_life", 0),
            }
            detail = ""
        elif code == "rule":
            rule = rules.get(int(r.get("rule_id") or 0))
            text = rule.display_name if rule else str(r.get("rule", ""))
            detail = _condition(rule) if rule else ""
            if r.get("count"):
                detail = f"{detail} × {r['count']}".strip()
        else:  # stored before reasons became codes: words as they were written
            text, detail = str(r.get("rule", "")), str(r.get("detail", ""))
        out.append({**r, "text": text, "detail": detail})
    return out


def rescore(lead: Lead, **kwargs: Any) -> bool:
    """Recompute and store the score (no version bump: scoring is not a user edit). Returns
    True when the score changed."""
    score, reasons = compute(lead, **kwargs)
    changed = score != lead.score or reasons != lead.score_reasons
    if changed:
        now = timezone.now()
        Lead.objects.filter(pk=lead.pk).update(score=score, score_reasons=reasons, scored_at=now)
        lead.score, lead.score_reasons, lead.scored_at = score, reasons, now
    return changed


def rescore_all(queryset: Any = None, *, batch: int = 500) -> int:
    """Rescore every open lead (the nightly job); returns how many scores changed."""
    from relasi.sales.choices import OPEN_LEAD_STATUSES

    qs = queryset if queryset is not None else Lead.objects.filter(status__in=OPEN_LEAD_STATUSES)
    rules = list(ScoringRule.objects.filter(active=True))
    half_life = ScoreSettings.current().half_life_days
    now = timezone.now()
    changed = 0
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        leads = list(Lead.objects.filter(pk__in=chunk).select_related("product_interest"))
        counts: dict[int, Counter] = {pk: Counter() for pk in chunk}
        for lead_id, kind in LeadEvent.objects.filter(lead_id__in=chunk).values_list(
            "lead_id", "kind"
        ):
            counts[lead_id][kind] += 1
        updates = []
        for lead in leads:
            score, reasons = compute(
                lead, rules, event_counts=counts[lead.pk], half_life_days=half_life, now=now
            )
            if score != lead.score or reasons != lead.score_reasons:
                lead.score, lead.score_reasons, lead.scored_at = score, reasons, now
                updates.append(lead)
        Lead.objects.bulk_update(updates, ["score", "score_reasons", "scored_at"])
        changed += len(updates)
    return changed
