"""Automatic lead assignment: ordered rules (territory, source, product interest, or any
lead), round-robin within a team, each rep's capacity (maximum open leads) respected."""

from typing import Any

from django.db.models import Count, Q

from relasi.accounts.models import User
from relasi.sales.choices import OPEN_LEAD_STATUSES, RuleMatch
from relasi.sales.models import AssignmentRule, Lead, SalesRepSettings


def _norm(values: list[str]) -> set[str]:
    return {str(v).strip().lower() for v in values if str(v).strip()}


def rule_matches(rule: AssignmentRule, lead: Lead) -> bool:
    if rule.match == RuleMatch.ANY:
        return True
    if rule.match == RuleMatch.TERRITORY:
        provinces, cities = _norm(rule.provinces), _norm(rule.cities)
        return (bool(provinces) and lead.province.strip().lower() in provinces) or (
            bool(cities) and lead.city.strip().lower() in cities
        )
    if rule.match == RuleMatch.SOURCE:
        return lead.source in set(rule.sources)
    if rule.match == RuleMatch.INTEREST:
        product_ids = {p.pk for p in rule.products.all()}
        if lead.product_interest_id and lead.product_interest_id in product_ids:
            return True
        text = f"{lead.interest} {lead.product_interest or ''}".lower()
        return any(k in text for k in _norm(rule.interest_keywords))
    return False


def open_lead_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Lead.objects.filter(owner_id__in=user_ids, status__in=OPEN_LEAD_STATUSES)
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {r["owner_id"]: r["n"] for r in rows}


def has_capacity(user: User, counts: dict[int, int], settings_map: dict[int, Any]) -> bool:
    rep = settings_map.get(user.pk)
    if rep is None:
        return True
    if not rep.accepts_leads:
        return False
    return rep.max_open_leads is None or counts.get(user.pk, 0) < rep.max_open_leads


def candidates(rule: AssignmentRule) -> list[User]:
    if rule.user_id:
        return [rule.user] if rule.user and rule.user.is_active else []
    return list(
        User.objects.filter(team_id=rule.team_id, is_active=True)
        .filter(Q(role__permissions__has_key="sales") | Q(is_superuser=True))
        .order_by("pk")
    )


def _round_robin(rule: AssignmentRule, users: list[User]) -> list[User]:
    """The team's reps starting after the one who got the previous lead."""
    if not rule.last_assigned_id:
        return users
    ids = [u.pk for u in users]
    if rule.last_assigned_id not in ids:
        return users
    i = ids.index(rule.last_assigned_id) + 1
    return users[i:] + users[:i]


def choose(lead: Lead) -> tuple[User | None, AssignmentRule | None]:
    """The rep a new lead goes to, and the rule that decided (None, None = nobody)."""
    rules = list(
        AssignmentRule.objects.filter(active=True)
        .select_related("user", "team")
        .prefetch_related("products")
    )
    for rule in rules:
        if not rule_matches(rule, lead):
            continue
        users = _round_robin(rule, candidates(rule))
        if not users:
            continue
        ids = [u.pk for u in users]
        counts = open_lead_counts(ids) if rule.respect_capacity else {}
        settings_map = (
            {s.user_id: s for s in SalesRepSettings.objects.filter(user_id__in=ids)}
            if rule.respect_capacity
            else {}
        )
        for user in users:
            if not rule.respect_capacity or has_capacity(user, counts, settings_map):
                if rule.team_id and not rule.user_id:
                    AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned=user)
                return user, rule
    return None, None
