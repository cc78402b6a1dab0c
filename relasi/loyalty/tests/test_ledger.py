import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from relasi.commerce import actions as commerce
from relasi.commerce.tests import factories as cf
from relasi.loyalty import actions, expiry, ledger, reports
from relasi.loyalty.choices import EntryKind, RuleKind
from relasi.loyalty.models import EarnRule, LedgerEntry, Programme
from relasi.privacy.models import ConsentEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return Programme.objects.create(
        code="xyz", name="XYZ Club", starts_on=dt.date(2020, 1, 1), first_purchase_bonus=50
    )


@pytest.fixture
def member(personas, programme):
    return actions.enrol(
        personas.admin,
        programme,
        form={"first_name": "Sari", "last_name": "Dewi", "occupation": "Guru"},
        phone="0812-3456-7890",
        consents={"whatsapp": True},
        enrolled_at=timezone.now() - dt.timedelta(days=30),
    )


def test_enrol_writes_person_consent_and_number(member):
    c = member.customer
    assert c.first_name == "Sari" and c.occupation == "Guru"
    assert actions.valid_number(member.number) and member.number.startswith("88")
    ev = ConsentEvent.objects.get(customer=c)
    assert ev.channel == "whatsapp" and ev.purpose.key == "marketing"


def test_order_earns_once_and_reverses_on_cancel_and_return(personas, member):
    p = cf.product(unit_price=Decimal(50000))
    o = cf.order(None, customer_id=member.customer_id, lines=[(p, 2, Decimal(50000))])
    member.refresh_from_db()
    # Rp 100,000 / 10,000 = 10 points + 50 first-purchase bonus
    assert member.balance == 60
    commerce.ingest_order(None, {"source": "test", "external_id": o.external_id,
        "customer_id": member.customer_id, "ordered_at": o.ordered_at,
        "lines": [{"product_id": p.pk, "quantity": 2, "unit_price": 50000}]})  # fmt: skip
    member.refresh_from_db()
    assert member.balance == 60  # a resend never credits twice
    line = o.lines.get()
    commerce.add_return(personas.admin, o, "defective", [(line.pk, 1)])
    member.refresh_from_db()
    assert member.balance == 55  # half the spend back: 5 points (the bonus stays)
    commerce.set_status(personas.admin, o, "cancelled")
    member.refresh_from_db()
    assert member.balance == 0
    assert ledger.verify() == []
    kinds = list(LedgerEntry.objects.filter(order=o).values_list("kind", flat=True))
    assert kinds.count(EntryKind.REVERSE) == 2


def test_rules_multipliers_and_birthday(personas, programme, member):
    cat = cf.product(category="Kopi").category
    p = cf.product(category="Kopi", unit_price=Decimal(20000))
    EarnRule.objects.create(programme=programme, name="Kopi", kind=RuleKind.CATEGORY, category=cat,
                            multiplier=Decimal(3))  # fmt: skip
    programme.birthday_multiplier = Decimal(2)
    programme.save()
    c = member.customer
    c.date_of_birth = dt.date(1990, timezone.localdate().month, 1)
    c.save()
    cf.order(None, customer_id=c.pk, lines=[(p, 1, Decimal(20000))])
    member.refresh_from_db()
    # 20,000 × 3 × 2 / 10,000 = 12, + 50 bonus
    assert member.balance == 62


def test_redeem_idempotent_and_bounded(personas, member):
    actions.adjust(personas.admin, member, 500, "goodwill")
    first = actions.redeem(personas.admin, member, 200, external_ref="pos-1")
    again = actions.redeem(personas.admin, member, 200, external_ref="pos-1")
    assert first.created and not again.created and first.entry.pk == again.entry.pk
    assert first.entry.amount == Decimal(20000)
    member.refresh_from_db()
    assert member.balance == 300
    with pytest.raises(ValidationError):
        actions.redeem(personas.admin, member, 400)
    with pytest.raises(ValidationError):
        actions.redeem(personas.admin, member, 50)  # below the minimum
    with pytest.raises(ValidationError):
        actions.adjust(personas.admin, member, 10, "")
    with pytest.raises(ValueError):
        first.entry.delete()
    rev = actions.reverse(personas.admin, first.entry, "till error")
    member.refresh_from_db()
    assert rev.entry.points == 200 and member.balance == 500
    assert not actions.reverse(personas.admin, first.entry, "again").created  # reversed once
    assert ledger.balance(member) == member.balance


def test_expiry_fifo_and_liability(personas, programme, member):
    long_ago = timezone.now() - dt.timedelta(days=400)
    with transaction.atomic():
        m = ledger.lock(member.pk)
        ledger.post(
            m, EntryKind.ADJUST, 300, staff=personas.admin, reason="old", occurred_at=long_ago
        )
        ledger.post(m, EntryKind.ADJUST, 100, staff=personas.admin, reason="new")
    actions.redeem(personas.admin, member, 120)
    assert expiry.expire(programme) == 180  # 300 old, 120 of them spent first
    assert expiry.expire(programme) == 0
    member.refresh_from_db()
    assert member.balance == 100
    (row,) = reports.liability()
    assert row.points == 100 and row.value == Decimal(10000)
    assert sum(p for _m, p, _v in row.schedule) == 100  # all of it expires within 13 months
    assert expiry.run_due()["loyalty_programmes_expired"] == 1
    assert expiry.run_due()["loyalty_programmes_expired"] == 0
