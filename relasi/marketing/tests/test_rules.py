"""Rule validation and compiling: each family of conditions against data built to tell the
members from the rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relasi.commerce.tests import factories as f
from relasi.customers.tests.factories import person
from relasi.marketing import rules, scores
from relasi.privacy import consent

pytestmark = pytest.mark.django_db


def ids(rule):
    return set(rules.members(rules.validate(rule)).values_list("pk", flat=True))


def cond(field, op, value=None, **kw):
    return {"op": "and", "rules": [{"field": field, "op": op, "value": value, **kw}]}


def test_validation_names_the_place_of_each_problem():
    with pytest.raises(ValidationError) as exc:
        rules.validate({"op": "and", "rules": [
            {"field": "lifecycle_stage", "op": "in", "value": ["nope"]},
            {"op": "or", "rules": [{"field": "no_such", "op": "eq"}]},
            {"field": "orders_count", "op": "contains", "value": 1},
        ]})  # fmt: skip
    text = " ".join(exc.value.messages)
    assert "rules.0" in text and "rules.1.rules.0" in text and "rules.2" in text
    with pytest.raises(ValidationError):
        rules.validate({"op": "xor", "rules": []})
    deep = {"op": "and", "rules": []}
    node = deep
    for _i in range(6):
        child = {"op": "and", "rules": []}
        node["rules"].append(child)
        node = child
    with pytest.raises(ValidationError):
        rules.validate(deep)
    clean = rules.validate(cond("orders_spend", "gte", "150000", days="30", junk=1))
    assert clean["rules"][0] == {"field": "orders_spend", "op": "gte", "value": 150000, "days": 30}


def test_person_fields_groups_and_or(personas):
    from relasi.customers.models import Customer

    a = person(personas.rep, "Ani", "Satu", lifecycle_stage="customer")
    b = person(personas.rep, "Budi", "Dua", lifecycle_stage="prospect")
    c = person(personas.rep, "Citra", "Tiga", lifecycle_stage="prospect")
    # city and province are the primary address's (kept by the customers actions)
    Customer.objects.filter(pk__in=[a.pk, c.pk]).update(city="Kota Bandung")
    Customer.objects.filter(pk=b.pk).update(city="Kota Bogor")
    assert ids(cond("city", "eq", "kota bandung")) == {a.pk, c.pk}
    assert ids(cond("lifecycle_stage", "not_in", ["customer"])) == {b.pk, c.pk}
    either = {"op": "and", "rules": [
        {"field": "city", "op": "eq", "value": "Kota Bandung"},
        {"op": "or", "rules": [{"field": "lifecycle_stage", "op": "in", "value": ["customer"]},
                               {"field": "first_name", "op": "contains", "value": "bud"}]}]}  # fmt: skip
    assert ids(either) == {a.pk}
    either["op"] = "or"
    assert ids(either) == {a.pk, b.pk, c.pk}
    assert ids({"op": "and", "rules": []}) == {a.pk, b.pk, c.pk}


def test_orders_spend_count_and_basket(personas):
    today = timezone.localdate()
    a, b = f.product(category="Kopi"), f.product(category="Teh")
    big = person(personas.rep, "Besar", "Belanja")
    small = person(personas.rep, "Kecil", "Belanja")
    never = person(personas.rep, "Belum", "Beli")
    f.order(customer_id=big.pk, lines=[(a, 10, Decimal(20000))], day=today)
    f.order(customer_id=big.pk, lines=[(b, 1, Decimal(5000))], day=today - dt.timedelta(days=200))
    f.order(customer_id=small.pk, lines=[(a, 1, Decimal(5000))], day=today)
    f.order(customer_id=small.pk, lines=[(a, 50, Decimal(5000))], status="cancelled")
    assert ids(cond("orders_spend", "gte", 100000)) == {big.pk}
    assert ids(cond("orders_count", "lte", 1)) == {small.pk, never.pk}  # zero orders pass
    assert ids(cond("orders_count", "eq", 0)) == {never.pk}
    assert ids(cond("orders_count", "gte", 2)) == {big.pk}
    assert ids(cond("orders_count", "gte", 2, days=30)) == set()
    assert ids(cond("basket", "yes", [a.pk], value2=[b.pk])) == {small.pk}  # A, never B
    assert ids(cond("basket", "yes", [a.pk], value2=[b.pk], days=30)) == {big.pk, small.pk}
    assert ids(cond("bought_category", "yes", [b.category_id])) == {big.pk}
    assert ids(cond("bought_product", "no", [a.pk])) == {never.pk}
    assert ids(cond("last_order_days", "gte", 30)) == set()


def test_scores_consent_and_custom(personas):
    a = person(personas.rep, "Ani", "Satu", custom={"hobi": "golf"})
    b = person(personas.rep, "Budi", "Dua")
    scores.replace([(a.pk, "at_risk", 9e6, "high", 0.8, "high"), (b.pk, "champions", 1.0, "low",
                    0.1, "low"), (999999, "lost", 0, "low", 0.5, "medium")])  # fmt: skip
    assert ids(cond("rfm_segment", "in", ["at_risk", "cant_lose"])) == {a.pk}
    assert ids(cond("churn_risk", "in", ["high"])) == {a.pk}
    assert ids(cond("clv_band", "not_in", ["high"])) == {b.pk}
    consent.record(None, a, "marketing", "email", "granted", source="import")
    consent.record(None, b, "marketing", "email", "withdrawn", source="import")
    assert ids(cond("consent", "in", ["granted"], channel="email", purpose="marketing")) == {a.pk}
    assert ids(cond("consent", "in", ["none"], channel="sms", purpose="marketing")) == {a.pk, b.pk}
    from relasi.core.models import CustomField

    CustomField.objects.create(model_label="customers.customer", key="hobi", label="Hobby",
                               field_type="text")  # fmt: skip
    assert ids(cond("custom:hobi", "eq", "Golf")) == {a.pk}
    assert ids(cond("custom:hobi", "unset")) == {b.pk}


def test_a_registered_condition_is_picked_up(personas):
    """The extension point the loyalty app uses for its tier."""
    from django.db.models import Q

    a = person(personas.rep, "Ani", "Satu", gender="female")
    person(personas.rep, "Budi", "Dua")
    rules.register(rules.Condition("test_tier", "Tier", rules.LOYALTY, "choice", rules.SET_OPS,
                                   lambda n: Q(gender__in=["female"] if "gold" in n["value"] else []),
                                   choices=lambda: [("gold", "Gold")]))  # fmt: skip
    try:
        assert ids(cond("test_tier", "in", ["gold"])) == {a.pk}
        assert any(c.key == "test_tier" for c in rules.all_conditions())
    finally:
        rules.CONDITIONS.pop("test_tier")
