"""The built-in segment conditions (imported once by rules.condition_for). Each compiles a
validated condition node to a Q over customers; the other apps' tables are read through their
models (commerce orders, analytics scores copied to CustomerScore, activities, service tickets,
conversations, the privacy app's consent state table and gate)."""

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from relasi.marketing.rules import (
    CONSENT,
    CUSTOM,
    ENGAGEMENT,
    LOCATION,
    NUMBER_OPS,
    ORDERS,
    PERSON,
    SCORES,
    SET_OPS,
    TEXT_OPS,
    YES_NO,
    Condition,
    Param,
    aggregate_q,
    has_q,
    register,
    set_q,
    since,
    since_dt,
    text_q,
)


def _choices(choices_cls: Any) -> Any:
    return lambda: [(str(k), str(label)) for k, label in choices_cls.choices]


# --- person and location ------------------------------------------------------------------------
def _text(key: str, label: Any, section: Any = PERSON, column: str = "") -> None:
    name = column or key
    register(Condition(key, label, section, "text", TEXT_OPS, lambda n: text_q(name, n)))


def _choice(key: str, label: Any, choices: Any) -> None:
    register(Condition(key, label, PERSON, "choice", SET_OPS, lambda n: set_q(key, n), choices))


def _person() -> None:
    from relasi.customers import choices as cc

    _text("first_name", _("First name"))
    _text("last_name", _("Last name"))
    _text("name", _("Name"))
    _text("primary_email", _("E-mail"))
    _text("primary_phone", _("Phone"))
    _text("occupation", _("Occupation"))
    _choice("lifecycle_stage", _("Lifecycle stage"), _choices(cc.Lifecycle))
    _choice("customer_type", _("Customer type"), _choices(cc.CustomerType))
    _choice("source", _("Source"), _choices(cc.Source))
    _choice("gender", _("Gender"), _choices(cc.Gender))
    _choice("income_band", _("Income band"), _choices(cc.IncomeBand))
    _choice("preferred_language", _("Preferred language"), _choices(cc.Language))
    register(Condition(
        "birth_month", _("Birthday month"), PERSON, "number", ("eq",),
        lambda n: Q(date_of_birth__month=n["value"]),
    ))  # fmt: skip
    register(Condition(
        "created_days", _("Days since created"), PERSON, "number", ("gte", "lte"),
        _created_q,
    ))  # fmt: skip
    register(Condition(
        "blacklisted", _("Blacklisted"), PERSON, "none", YES_NO,
        lambda n: Q(is_blacklisted=n["op"] == "yes"),
    ))  # fmt: skip
    register(Condition("tag", _("Tags"), PERSON, "choice", SET_OPS, _tag_q, _tag_choices))
    register(Condition("group", _("Groups"), PERSON, "choice", SET_OPS, _group_q, _group_choices))
    _text("province", _("Province"), LOCATION)
    _text("city", _("City / regency"), LOCATION)


def _created_q(n: dict[str, Any]) -> Q:
    import datetime as dt

    from django.utils import timezone

    cutoff = timezone.now() - dt.timedelta(days=n["value"])
    return Q(created_at__gte=cutoff) if n["op"] == "lte" else Q(created_at__lte=cutoff)


def _tag_choices() -> list[tuple[str, str]]:
    from relasi.core.models import Tag

    return [(str(pk), name) for pk, name in Tag.objects.values_list("pk", "name")]


def _tag_q(n: dict[str, Any]) -> Q:
    from relasi.customers.models import Customer

    through = Customer.tags.through.objects.filter(tag_id__in=[int(v) for v in n["value"]])
    q = Q(pk__in=through.values("customer_id"))
    return ~q if n["op"] == "not_in" else q


def _group_choices() -> list[tuple[str, str]]:
    from relasi.customers.models import Group

    return [(str(pk), name) for pk, name in Group.objects.values_list("pk", "name")]


def _group_q(n: dict[str, Any]) -> Q:
    from relasi.customers.models import GroupMembership

    rows = GroupMembership.objects.filter(group_id__in=[int(v) for v in n["value"]])
    q = Q(pk__in=rows.values("customer_id"))
    return ~q if n["op"] == "not_in" else q


# --- orders ---------------------------------------------------------------------------------------
def _orders(n: dict[str, Any]) -> Any:
    from relasi.commerce.choices import OrderStatus
    from relasi.commerce.models import Order

    rows = Order.objects.filter(customer__isnull=False).exclude(status=OrderStatus.CANCELLED)
    start = since(n)
    return rows.filter(order_date__gte=start) if start else rows


def _lines(n: dict[str, Any], products: list[int]) -> Any:
    from relasi.commerce.choices import OrderStatus
    from relasi.commerce.models import OrderLine

    rows = OrderLine.objects.filter(product_id__in=products, order__customer__isnull=False).exclude(
        order__status=OrderStatus.CANCELLED
    )
    start = since(n)
    return rows.filter(order__order_date__gte=start) if start else rows


def _product_choices() -> list[tuple[str, str]]:
    from relasi.sales.models import Product

    rows = Product.objects.order_by("name").values_list("pk", "sku", "name")[:2000]
    return [(str(pk), f"{name} ({sku})") for pk, sku, name in rows]


def _category_choices() -> list[tuple[str, str]]:
    from relasi.sales.models import ProductCategory

    return [(str(pk), name) for pk, name in ProductCategory.objects.values_list("pk", "name")]


def _bought_q(n: dict[str, Any]) -> Q:
    return has_q(_lines(n, n["value"]), n, "order__customer_id")


def _category_q(n: dict[str, Any]) -> Q:
    from relasi.sales.models import Product

    cats = n["value"]
    products = Product.objects.filter(Q(category_id__in=cats) | Q(category__parent_id__in=cats))
    return has_q(_lines(n, list(products.values_list("pk", flat=True))), n, "order__customer_id")


def _basket_q(n: dict[str, Any]) -> Q:
    """Bought one of A and none of B (in the period): the cross-sell audience of a basket rule."""
    bought = Q(pk__in=_lines(n, n["value"]).values("order__customer_id"))
    missing = ~Q(pk__in=_lines(n, n["value2"]).values("order__customer_id"))
    q = bought & missing
    return ~q if n["op"] == "no" else q


def _last_order_q(n: dict[str, Any]) -> Q:
    import datetime as dt

    from django.utils import timezone

    cutoff = timezone.localdate() - dt.timedelta(days=n["value"])
    anyone = _orders({})
    recent = anyone.filter(order_date__gt=cutoff).values("customer_id")
    if n["op"] == "lte":  # bought within the last N days
        return Q(pk__in=anyone.filter(order_date__gte=cutoff).values("customer_id"))
    return Q(pk__in=anyone.values("customer_id")) & ~Q(pk__in=recent)  # lapsed buyers


def _orders_conditions() -> None:
    register(Condition(
        "orders_count", _("Number of orders"), ORDERS, "number", NUMBER_OPS,
        lambda n: aggregate_q(_orders(n), Count("id"), n), period=True,
    ))  # fmt: skip
    register(Condition(
        "orders_spend", _("Spend (IDR)"), ORDERS, "money", NUMBER_OPS,
        lambda n: aggregate_q(_orders(n), Sum("total"), n), period=True,
    ))  # fmt: skip
    register(Condition(
        "last_order_days", _("Days since last order"), ORDERS, "number", ("gte", "lte"),
        _last_order_q,
    ))  # fmt: skip
    register(Condition(
        "bought_product", _("Bought product"), ORDERS, "product", YES_NO, _bought_q,
        _product_choices, period=True,
    ))  # fmt: skip
    register(Condition(
        "bought_category", _("Bought from category"), ORDERS, "category", YES_NO, _category_q,
        _category_choices, period=True,
    ))  # fmt: skip
    register(Condition(
        "basket", _("Bought A but not B"), ORDERS, "product", YES_NO, _basket_q,
        _product_choices, value2=_("but none of"), period=True,
    ))  # fmt: skip


# --- customer models (the analytics mart, copied to CustomerScore) -------------------------------
BANDS = [("high", _("High")), ("medium", _("Medium")), ("low", _("Low"))]


def _score_q(column: str) -> Any:
    def compile_(n: dict[str, Any]) -> Q:
        from relasi.marketing.models import CustomerScore

        rows = CustomerScore.objects.filter(**{f"{column}__in": n["value"]})
        q = Q(pk__in=rows.values("customer_id"))
        return ~q if n["op"] == "not_in" else q

    return compile_


def _rfm_choices() -> list[tuple[str, str]]:
    from relasi.analytics.rfm import SEGMENTS

    return [(key, str(label)) for key, label, _c, _d in SEGMENTS]


def _bands() -> list[tuple[str, str]]:
    return [(k, str(label)) for k, label in BANDS]


def _scores() -> None:
    register(Condition(
        "rfm_segment", _("RFM segment"), SCORES, "choice", SET_OPS, _score_q("rfm_segment"),
        _rfm_choices,
    ))  # fmt: skip
    register(Condition(
        "clv_band", _("CLV band"), SCORES, "choice", SET_OPS, _score_q("clv_band"), _bands,
    ))  # fmt: skip
    register(Condition(
        "churn_risk", _("Churn risk"), SCORES, "choice", SET_OPS, _score_q("churn_band"), _bands,
    ))  # fmt: skip


# --- activities, tickets, conversations -------------------------------------------------------------
def _activity_q(n: dict[str, Any]) -> Q:
    from relasi.activities.models import Activity

    rows = Activity.objects.filter(customer__isnull=False)
    if n.get("value"):
        rows = rows.filter(kind__in=n["value"])
    if start := since_dt(n):
        rows = rows.filter(due_at__gte=start)
    return has_q(rows, n)


def _tickets(n: dict[str, Any]) -> Any:
    from relasi.service.models import Ticket

    rows = Ticket.objects.all()
    start = since_dt(n)
    return rows.filter(created_at__gte=start) if start else rows


def _open_ticket_q(n: dict[str, Any]) -> Q:
    from relasi.service.choices import ACTIVE
    from relasi.service.models import Ticket

    return has_q(Ticket.objects.filter(status__in=ACTIVE), n)


def _sentiment_q(n: dict[str, Any]) -> Q:
    from relasi.conversations.models import Conversation

    rows = Conversation.objects.filter(customer__isnull=False, sentiment__in=n["value"])
    if start := since_dt(n):
        rows = rows.filter(last_message_at__gte=start)
    return has_q(rows, n)


def _engagement() -> None:
    from relasi.activities.choices import Kind
    from relasi.conversations.choices import Sentiment

    register(Condition(
        "activity", _("Had an activity"), ENGAGEMENT, "choice", YES_NO, _activity_q,
        _choices(Kind), period=True, optional_value=True,
    ))  # fmt: skip
    register(Condition(
        "tickets_count", _("Number of tickets"), ENGAGEMENT, "number", NUMBER_OPS,
        lambda n: aggregate_q(_tickets(n), Count("id"), n), period=True,
    ))  # fmt: skip
    register(Condition(
        "open_ticket", _("Has an open ticket"), ENGAGEMENT, "none", YES_NO, _open_ticket_q,
    ))  # fmt: skip
    register(Condition(
        "sentiment", _("Conversation sentiment"), ENGAGEMENT, "choice", YES_NO, _sentiment_q,
        _choices(Sentiment), period=True,
    ))  # fmt: skip


# --- consent (the privacy app's state table and gate) ----------------------------------------------
CONSENT_STATES = [
    ("granted", _("Granted")),
    ("withdrawn", _("Withdrawn")),
    ("pending", _("Awaiting confirmation")),
    ("none", _("Not recorded")),
    ("contactable", _("May be contacted now")),
]


def _consent_q(n: dict[str, Any]) -> Q:
    from relasi.privacy import gate
    from relasi.privacy.models import ConsentState

    wanted = set(n["value"])
    channel, purpose = n["channel"], n["purpose"]
    states = ConsentState.objects.filter(purpose__key=purpose, channel=channel)
    parts = []
    recorded = [s for s in wanted if s in ("granted", "withdrawn", "pending")]
    if recorded:
        parts.append(Q(pk__in=states.filter(status__in=recorded).values("customer_id")))
    if "none" in wanted:
        parts.append(~Q(pk__in=states.values("customer_id")))
    if "contactable" in wanted:
        parts.append(Q(pk__in=gate.filter_contactable(channel, purpose)))
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return ~q if n["op"] == "not_in" else q


def _channels() -> list[tuple[str, str]]:
    from relasi.privacy.choices import Channel

    return [(str(k), str(label)) for k, label in Channel.choices]


def _purposes() -> list[tuple[str, str]]:
    from relasi.privacy.models import Purpose

    return [(p.key, str(p.label)) for p in Purpose.objects.filter(active=True)] or [
        ("marketing", str(_("Marketing")))
    ]


def _consent() -> None:
    register(Condition(
        "consent", _("Consent"), CONSENT, "choice", SET_OPS, _consent_q,
        lambda: [(k, str(label)) for k, label in CONSENT_STATES],
        params=(Param("channel", _("channel"), _channels, "email"),
                Param("purpose", _("purpose"), _purposes, "marketing")),
    ))  # fmt: skip


# --- custom fields ---------------------------------------------------------------------------------
def _custom_defs() -> list[Any]:
    from relasi.core.customfields import definitions
    from relasi.customers.models import Customer

    return definitions(Customer)


def _build_custom(cf: Any) -> Condition:
    from relasi.core.choices import CustomFieldType as T

    name = f"custom__{cf.key}"
    key = f"custom:{cf.key}"
    label = cf.display_label
    if cf.field_type in (T.NUMBER, T.DECIMAL):

        def number_q(n: dict[str, Any]) -> Q:
            lookup = name if n["op"] == "eq" else f"{name}__{n['op']}"
            return Q(**{lookup: n["value"]})

        return Condition(key, label, CUSTOM, "number", NUMBER_OPS, number_q)
    if cf.field_type == T.BOOLEAN:
        return Condition(key, label, CUSTOM, "none", YES_NO,
                         lambda n: Q(**{name: n["op"] == "yes"}))  # fmt: skip
    if cf.field_type == T.CHOICE:
        return Condition(key, label, CUSTOM, "choice", SET_OPS, lambda n: set_q(name, n),
                         lambda: [(str(c), str(c)) for c in cf.choices])  # fmt: skip

    def custom_text(n: dict[str, Any]) -> Q:
        if n["op"] == "set":
            return Q(custom__has_key=cf.key) & ~Q(**{name: ""})
        if n["op"] == "unset":
            return ~Q(custom__has_key=cf.key) | Q(**{name: ""})
        return text_q(name, n)

    return Condition(key, label, CUSTOM, "text", TEXT_OPS, custom_text)


def custom_condition(key: str) -> Condition | None:
    for cf in _custom_defs():
        if cf.key == key:
            return _build_custom(cf)
    return None


def custom_conditions() -> list[Condition]:
    return [_build_custom(cf) for cf in _custom_defs()]


_person()
_orders_conditions()
_scores()
_engagement()
_consent()
