"""PT XYZ demo segments (run after the commerce and analytics seeders): the audiences a
marketer at PT XYZ would keep — lapsed buyers, big spenders in Jawa Barat, churn-risk rescue,
a cross-sell audience."""

from typing import Any

from relasi.marketing import actions

SEGMENTS = [
    ("Pembeli lama yang pasif", "Bought before, nothing in the last 180 days.",
     {"op": "and", "rules": [{"field": "last_order_days", "op": "gte", "value": 180}]}),
    ("Belanja besar Jawa Barat", "Spent at least Rp 5 juta in a year, in Jawa Barat.",
     {"op": "and", "rules": [
         {"field": "province", "op": "eq", "value": "Jawa Barat"},
         {"field": "orders_spend", "op": "gte", "value": 5000000, "days": 365}]}),
    ("Selamatkan: risiko churn tinggi", "High churn risk or an RFM segment at risk.",
     {"op": "or", "rules": [
         {"field": "churn_risk", "op": "in", "value": ["high"]},
         {"field": "rfm_segment", "op": "in", "value": ["at_risk", "cant_lose"]}]}),
    ("Pelanggan boleh dihubungi e-mail", "Customers the privacy gate lets us e-mail now.",
     {"op": "and", "rules": [
         {"field": "lifecycle_stage", "op": "in", "value": ["customer"]},
         {"field": "consent", "op": "in", "value": ["contactable"], "channel": "email",
          "purpose": "marketing"}]}),
]  # fmt: skip


def seed(ctx: dict[str, Any]) -> None:
    users = ctx.get("users", {})
    owner = users.get("marketing.dewi") or next(iter(users.values()), None)
    if owner is None:
        return
    for name, description, rule in SEGMENTS:
        actions.create_segment(owner, {"name": name, "description": description, "rule": rule})
