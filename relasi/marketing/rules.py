"""Segment rules: a tree of AND/OR groups of conditions, stored as JSON, validated, and compiled
to one `Q` over customers (every condition is a field lookup or an `id IN (subquery)`, so a
count is one statement the database plans as a whole).

    {"op": "and", "rules": [
        {"field": "lifecycle_stage", "op": "in", "value": ["customer"]},
        {"field": "orders_spend", "op": "gte", "value": 1000000, "days": 365},
        {"op": "or", "rules": [
            {"field": "rfm_segment", "op": "in", "value": ["at_risk", "cant_lose"]},
            {"field": "basket", "op": "yes", "value": [12], "value2": [15], "days": 180}]}]}

A condition is `field` (a key of `CONDITIONS`, or "custom:<key>" for a custom field), `op`,
`value`, and what the condition asks for besides: `days` (a period ending today), `value2`
(the second product of a basket rule) or its `params` (the consent's channel and purpose).

Extension point: another app adds a condition with `register(Condition(...))` from its
`AppConfig.ready()` — the builder, the validator, the API and the compiler pick it up. The
loyalty app is meant to register "loyalty_tier" so (a choice condition over its members' tier):

    register(Condition("loyalty_tier", _("Loyalty tier"), LOYALTY, "choice", SET_OPS,
                       lambda c: Q(pk__in=Member.objects.filter(tier__in=c["value"])
                                   .values("customer_id")), choices=tier_choices))
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DEPTH = 4
MAX_CONDITIONS = 60
MAX_DAYS = 36500
TEXT_MAX = 200

# sections of the builder's field list
PERSON, LOCATION, ORDERS, SCORES, ENGAGEMENT, CONSENT, CUSTOM = (
    _("Person"),
    _("Location"),
    _("Orders"),
    _("Customer models"),
    _("Activities, tickets and conversations"),
    _("Consent"),
    _("Custom fields"),
)
LOYALTY = _("Loyalty")

OPS: dict[str, Any] = {
    "eq": _("is"),
    "neq": _("is not"),
    "contains": _("contains"),
    "set": _("is filled in"),
    "unset": _("is empty"),
    "in": _("is any of"),
    "not_in": _("is none of"),
    "gte": _("at least"),
    "lte": _("at most"),
    "gt": _("more than"),
    "lt": _("less than"),
    "yes": _("yes"),
    "no": _("no"),
}
TEXT_OPS = ("eq", "neq", "contains", "set", "unset")
SET_OPS = ("in", "not_in")
NUMBER_OPS = ("gte", "lte", "gt", "lt", "eq")
YES_NO = ("yes", "no")
NO_VALUE = {"set", "unset", "yes", "no"}
KINDS = ("text", "choice", "number", "money", "product", "category", "none")


@dataclass(frozen=True)
class Param:
    """A further select of a condition (consent: channel, purpose)."""

    name: str
    label: Any
    choices: Callable[[], list[tuple[str, str]]]
    default: str


@dataclass(frozen=True)
class Condition:
    key: str
    label: Any
    section: Any
    kind: str  # one of KINDS: what `value` holds
    ops: tuple[str, ...]
    compile: Callable[[dict[str, Any]], Q]
    choices: Callable[[], list[tuple[str, str]]] | None = None
    period: bool = False  # takes `days`
    value2: Any = None  # label of a second product list (the basket rule's "but not")
    params: tuple[Param, ...] = field(default_factory=tuple)
    optional_value: bool = False  # a yes/no condition whose value narrows it (activity kinds)


CONDITIONS: dict[str, Condition] = {}


def register(condition: Condition) -> Condition:
    """Add (or replace) a condition; see the module docstring."""
    if condition.kind not in KINDS:
        raise ValueError(f"unknown condition kind {condition.kind!r}")
    CONDITIONS[condition.key] = condition
    return condition


def condition_for(key: str) -> Condition | None:
    if key.startswith("custom:"):
        from relasi.marketing.conditions import custom_condition

        return custom_condition(key.removeprefix("custom:"))
    from relasi.marketing import conditions  # noqa: F401  (registers the built-in ones)

    return CONDITIONS.get(key)


def all_conditions() -> list[Condition]:
    from relasi.marketing.conditions import custom_conditions

    condition_for("")  # the built-in ones registered
    return [*CONDITIONS.values(), *custom_conditions()]


# --- validation -------------------------------------------------------------------------------
GROUP_OBJECT = _("a group must be an object")
GROUP_OP = _("a group is “and” or “or”")
GROUP_DEPTH = _("groups nest at most %(n)d deep")
RULES_LIST = _("“rules” must be a list")
TOO_MANY = _("at most %(n)d conditions")


def validate(rule: Any) -> dict[str, Any]:
    """The rule normalised (values coerced, unknown keys dropped), or ValidationError naming
    the place of each problem ("rules.1.rules.0: …")."""
    errors: list[str] = []
    counter = [0]
    clean = _clean_group(rule, "", 1, errors, counter)
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_group(node: Any, at: str, depth: int, errors: list[str], counter: list[int]) -> dict:
    if not isinstance(node, dict):
        errors.append(f"{at or 'rule'}: {GROUP_OBJECT}")
        return {"op": "and", "rules": []}
    op = node.get("op", "and")
    if op not in ("and", "or"):
        errors.append(f"{at or 'rule'}: {GROUP_OP}")
    if depth > MAX_DEPTH:
        errors.append(f"{at or 'rule'}: {GROUP_DEPTH % {'n': MAX_DEPTH}}")
        return {"op": "and", "rules": []}
    children = node.get("rules", [])
    if not isinstance(children, list):
        errors.append(f"{at or 'rule'}: {RULES_LIST}")
        children = []
    out = []
    for i, child in enumerate(children):
        place = f"{at}rules.{i}"
        if isinstance(child, dict) and "rules" in child:
            out.append(_clean_group(child, place + ".", depth + 1, errors, counter))
        else:
            counter[0] += 1
            if counter[0] > MAX_CONDITIONS:
                errors.append(f"{place}: {TOO_MANY % {'n': MAX_CONDITIONS}}")
                break
            out.append(_clean_condition(child, place, errors))
    return {"op": op if op in ("and", "or") else "and", "rules": out}


def _clean_condition(node: Any, at: str, errors: list[str]) -> dict[str, Any]:
    def fail(msg: Any) -> dict[str, Any]:
        errors.append(f"{at}: {msg}")
        return {}

    if not isinstance(node, dict):
        return fail(_("a condition must be an object"))
    key = str(node.get("field", ""))
    cond = condition_for(key)
    if cond is None:
        return fail(_("unknown field “%(f)s”") % {"f": key[:60]})
    op = node.get("op") or cond.ops[0]
    if op not in cond.ops:
        return fail(_("“%(op)s” does not apply to %(f)s") % {"op": str(op)[:20], "f": cond.label})
    out: dict[str, Any] = {"field": key, "op": op}
    try:
        required = not cond.optional_value and (
            op not in NO_VALUE or cond.kind in ("product", "category", "choice")
        )
        if op not in NO_VALUE or cond.kind in ("product", "category", "choice"):
            value = _coerce(cond, node.get("value"), required=required)
            if value not in (None, [], ""):
                out["value"] = value
        if cond.value2 is not None:
            out["value2"] = _coerce(cond, node.get("value2"), required=True)
        if cond.period and node.get("days") not in (None, ""):
            days = int(node["days"])
            if not 1 <= days <= MAX_DAYS:
                raise ValueError
            out["days"] = days
        for param in cond.params:
            val = str(node.get(param.name) or param.default)
            if val not in {k for k, _l in param.choices()}:
                return fail(_("unknown %(p)s “%(v)s”") % {"p": param.label, "v": val[:40]})
            out[param.name] = val
    except (ValueError, TypeError, InvalidOperation, ValidationError) as exc:
        detail = exc.messages[0] if isinstance(exc, ValidationError) else _("invalid value")
        return fail(f"{cond.label}: {detail}")
    return out


def _coerce(cond: Condition, value: Any, *, required: bool) -> Any:
    if value in (None, "", []):
        if required and cond.kind != "none":
            raise ValidationError(_("a value is required"))
        return None
    match cond.kind:
        case "text":
            text = str(value).strip()
            if len(text) > TEXT_MAX:
                raise ValidationError(_("at most %(n)d characters") % {"n": TEXT_MAX})
            return text
        case "number":
            number = int(str(value).strip())
            if abs(number) > 10**12:
                raise ValueError
            return number
        case "money":
            amount = Decimal(str(value).strip())
            if not amount.is_finite() or abs(amount) > Decimal(10**15):
                raise ValueError
            return int(amount) if amount == amount.to_integral_value() else float(amount)
        case "choice":
            values = [str(v) for v in (value if isinstance(value, list) else [value])]
            known = {k for k, _l in (cond.choices() if cond.choices else [])}
            bad = [v for v in values if v not in known]
            if bad:
                raise ValidationError(_("unknown choice “%(v)s”") % {"v": bad[0][:40]})
            return sorted(set(values))
        case "product" | "category":
            ids = sorted({int(v) for v in (value if isinstance(value, list) else [value])})
            known_ids = {int(k) for k, _l in cond.choices()} if cond.choices else set()
            if any(i not in known_ids for i in ids):
                raise ValidationError(_("unknown product or category"))
            return ids
    return None


# --- compiling ----------------------------------------------------------------------------------
def compile_rule(rule: dict[str, Any]) -> Q:
    """A validated rule as one Q over customers. An empty group matches everyone."""
    parts = [
        compile_rule(child) if "rules" in child else _compile_condition(child)
        for child in rule.get("rules", [])
        if child
    ]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined | part) if rule.get("op") == "or" else (combined & part)
    return combined


def _compile_condition(node: dict[str, Any]) -> Q:
    cond = condition_for(node["field"])
    if cond is None:  # a field removed since the rule was saved: nobody matches it
        return Q(pk__in=[])
    return cond.compile(node)


def members(rule: dict[str, Any], queryset: QuerySet | None = None) -> QuerySet:
    """The people matching `rule` (within `queryset`, e.g. what a user may see)."""
    from relasi.customers.models import Person

    qs = Person.objects.all() if queryset is None else queryset
    return qs.filter(compile_rule(rule))


# --- helpers the conditions use -----------------------------------------------------------------
def since(node: dict[str, Any]) -> dt.date | None:
    days = node.get("days")
    return timezone.localdate() - dt.timedelta(days=days) if days else None


def since_dt(node: dict[str, Any]) -> dt.datetime | None:
    days = node.get("days")
    return timezone.now() - dt.timedelta(days=days) if days else None


def text_q(name: str, node: dict[str, Any]) -> Q:
    value = node.get("value", "")
    match node["op"]:
        case "eq":
            return Q(**{f"{name}__iexact": value})
        case "neq":
            return ~Q(**{f"{name}__iexact": value})
        case "contains":
            return Q(**{f"{name}__icontains": value})
        case "set":
            return ~Q(**{name: ""}) & Q(**{f"{name}__isnull": False})
    return Q(**{name: ""}) | Q(**{f"{name}__isnull": True})


def set_q(name: str, node: dict[str, Any]) -> Q:
    q = Q(**{f"{name}__in": node.get("value", [])})
    return ~q if node["op"] == "not_in" else q


def aggregate_q(rows: QuerySet, agg: Count | Sum, node: dict[str, Any]) -> Q:
    """People whose aggregate over `rows` (grouped by customer_id) satisfies op/value, counting
    people without rows as 0: a test that 0 passes ("at most 2 orders") is written as "not
    among those that fail", so the people who never ordered are in it."""
    op, value = node["op"], node.get("value", 0)
    grouped = rows.values("customer_id").annotate(v=agg)
    zero_passes = {
        "gte": value <= 0,
        "lte": value >= 0,
        "gt": value < 0,
        "lt": value > 0,
        "eq": value == 0,
    }[op]
    if zero_passes:
        fails = {"gte": "lt", "lte": "gt", "gt": "lte", "lt": "gte"}.get(op)
        if fails is None:  # eq 0: everyone without a non-zero aggregate
            return ~Q(pk__in=grouped.exclude(v=0).values("customer_id"))
        return ~Q(pk__in=grouped.filter(**{f"v__{fails}": value}).values("customer_id"))
    lookup = "v" if op == "eq" else f"v__{op}"
    return Q(pk__in=grouped.filter(**{lookup: value}).values("customer_id"))


def has_q(rows: QuerySet, node: dict[str, Any], column: str = "customer_id") -> Q:
    q = Q(pk__in=rows.values(column))
    return ~q if node["op"] == "no" else q
