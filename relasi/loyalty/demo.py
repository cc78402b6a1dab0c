"""PT XYZ demo: the "XYZ Rewards" programme, launched with the first order of the demo's
history. Two in five customers who bought are members, enrolled the day before their first
order at the store of that order; the back-fill earns for their orders (the same rules as live
orders), expiry runs up to today, and some members have spent points since."""

import datetime as dt
import random
from typing import Any

from django.db.models import Min
from django.utils import timezone

from relasi.loyalty import actions, backfill, expiry
from relasi.loyalty.choices import EnrolChannel
from relasi.loyalty.models import EarnRule, Member, Programme


def seed(ctx: dict[str, Any]) -> None:
    from relasi.commerce.models import Order
    from relasi.sales.models import ProductCategory

    first = Order.objects.aggregate(m=Min("order_date"))["m"]
    if first is None:
        return
    rng = random.Random(15)
    programme = Programme.objects.create(
        code="xyz-rewards", name="XYZ Rewards", starts_on=first, first_purchase_bonus=50,
        birthday_multiplier=2, min_redemption=100,
    )  # fmt: skip
    if category := ProductCategory.objects.order_by("pk").first():
        EarnRule.objects.create(
            programme=programme, name=f"{category} ×2", kind="category", category=category
        )
    firsts = (
        Order.objects.filter(customer__isnull=False)
        .values("customer_id")
        .annotate(at=Min("ordered_at"))
        .order_by("customer_id")
    )
    members: list[Member] = []
    for row in firsts:
        if rng.random() >= 0.4:
            continue
        store_id = (
            Order.objects.filter(customer_id=row["customer_id"], ordered_at=row["at"])
            .values_list("store_id", flat=True)
            .first()
        )
        body = f"{programme.number_prefix}{len(members) + 1:09d}"
        members.append(
            Member(
                programme=programme,
                customer_id=row["customer_id"],
                number=body + actions.luhn_digit(body),
                channel=EnrolChannel.STAFF,
                enrolled_at=row["at"] - dt.timedelta(days=1),
                home_store_id=store_id,
            )
        )
    Member.objects.bulk_create(members, batch_size=2000)
    backfill.backfill(programme)
    expiry.expire(programme)
    programme.expiry_checked_on = timezone.localdate()
    programme.save(update_fields=["expiry_checked_on"])
    for member in Member.objects.filter(programme=programme, balance__gte=200).select_related(
        "programme"
    ):
        if rng.random() < 0.3:
            actions.redeem(None, member, member.balance // 2, reason="demo")
    ctx["loyalty_programme"] = programme
