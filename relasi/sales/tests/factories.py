"""Sales test data: a pipeline with stages, products, leads, deals, quotes."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from relasi.sales.actions import deals as deal_actions
from relasi.sales.actions import leads as lead_actions
from relasi.sales.choices import StageKind
from relasi.sales.models import LostReason, Pipeline, Product, Stage


def pipeline(name: str = "Retail B2B") -> Pipeline:
    p = Pipeline.objects.create(name=name, is_default=True)
    for i, (stage, prob, kind, rot) in enumerate(
        [
            ("Qualified", 10, StageKind.OPEN, 14),
            ("Proposal", 40, StageKind.OPEN, 10),
            ("Negotiation", 70, StageKind.OPEN, 7),
            ("Won", 100, StageKind.WON, None),
            ("Lost", 0, StageKind.LOST, None),
        ]
    ):
        Stage.objects.create(
            pipeline=p,
            name=stage,
            order=(i + 1) * 10,
            probability=prob,
            kind=kind,
            rotting_days=rot,
        )
    LostReason.objects.get_or_create(name="Price too high")
    return p


def stage(p: Pipeline, name: str) -> Stage:
    return p.stages.get(name=name)


def product(
    sku: str = "RC-100", name: str = "Rice cooker 1.8 L", price: str = "450000", tax: str = "11"
) -> Product:
    return Product.objects.create(
        sku=sku, name=name, unit_price=Decimal(price), tax_rate=Decimal(tax)
    )


def lead(actor: Any, **data: Any) -> Any:
    base = {
        "first_name": "Budi",
        "last_name": "Santoso",
        "email": "budi@example.test",
        "phone": "0812 3456 7890",
        "city": "Bandung",
        "province": "Jawa Barat",
        "source": "web_form",
    }
    base.update(data)
    owner = base.pop("owner", actor)
    return lead_actions.create_lead(
        actor, {**base, "owner": owner} if owner else base, auto_assign=owner is None
    )


def deal(
    actor: Any, p: Pipeline, stage_name: str = "Qualified", value: str = "1000000", **data: Any
) -> Any:
    close = data.pop("expected_close_date", timezone.localdate() + dt.timedelta(days=10))
    return deal_actions.create_deal(
        actor,
        {
            "name": data.pop("name", "Blenders for PT Maju"),
            "pipeline": p,
            "stage": stage(p, stage_name),
            "value": Decimal(value),
            "expected_close_date": close,
            "owner": data.pop("owner", actor),
            **data,
        },
    )
