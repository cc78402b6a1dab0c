"""Five years of PT XYZ transactions (generated in Python, written with the bulk paths).

Seasonality: Ramadan builds up to Lebaran (the year's peak, on each year's real dates),
year-end, back-to-school in July, weekends; 10 % yearly growth. Individuals and corporate
buyers (organisations: larger quantities); stores in Jakarta, Bandung, Surabaya and Medan plus
the web shop and a marketplace; products bought together (rice cooker + cookware, sofa + TV,
dining table + chairs…) so basket analysis finds rules; loyal, repeat, lapsed and one-time
customers so RFM and churn look real. Cost entries per month feed CAC."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from relasi.analytics import calendar_id

STORES = [
    (
        "JKT01",
        "XYZ Jakarta Kelapa Gading",
        "store",
        "Kota Jakarta Utara",
        "DKI Jakarta",
        "Tim Jakarta",
    ),
    ("BDG01", "XYZ Bandung Dago", "store", "Kota Bandung", "Jawa Barat", "Tim Jakarta"),
    ("SBY01", "XYZ Surabaya Tunjungan", "store", "Kota Surabaya", "Jawa Timur", "Tim Surabaya"),
    ("MDN01", "XYZ Medan Sun Plaza", "store", "Kota Medan", "Sumatera Utara", "Tim Surabaya"),
    ("WEB", "xyz.co.id (web shop)", "web", "", "", None),
    ("MKT", "Marketplace (Tokopedia/Shopee)", "marketplace", "", "", None),
]
STORE_WEIGHTS = [0.26, 0.12, 0.18, 0.09, 0.17, 0.18]
# Items bought together: (anchor SKU, companions, probability)
BUNDLES = [
    ("RC-18", ["CK-SET12", "CK-TEF5"], 0.55),
    ("RC-10", ["CK-TEF5"], 0.45),
    ("KG-2T", ["CK-SET12", "CK-TEF5"], 0.5),
    ("SF-3S", ["TV-50", "RK-BK"], 0.35),
    ("MJ-MKN6", ["LM-3P"], 0.25),
    ("AF-45", ["BL-15"], 0.3),
    ("DS-GAL", ["KP-16"], 0.3),
]
PROFILES = [("loyal", 0.15, 14), ("repeat", 0.35, 5), ("lapsed", 0.2, 4), ("once", 0.3, 1)]


def _season(day: dt.date) -> float:
    w = 1.0
    span = calendar_id.ramadan(day.year)
    if span:
        start, eid = span
        if start <= day < eid:
            w *= 1.4 + 1.4 * (day - start).days / (eid - start).days  # builds up to Lebaran
        elif eid <= day < eid + dt.timedelta(days=4):
            w *= 0.6  # shops close around Idulfitri
    if day.month == 12:
        w *= 1.5 if day.day < 25 else 1.8
    if day.month == 7:
        w *= 1.35  # back to school
    if day.weekday() >= 5:
        w *= 1.25
    return w


def _products(ctx: dict[str, Any]) -> list[Any]:
    from relasi.sales.models import Product, ProductCategory

    products = [
        p for p in ctx.get("products") or Product.objects.all() if not p.sku.startswith("MCU")
    ]
    if products:
        return products
    cat, _c = ProductCategory.objects.get_or_create(name="Peralatan dapur")  # seeded alone (tests)
    return [
        Product.objects.get_or_create(sku=sku, defaults={"name": name, "unit_price": price, "category": cat})[0]
        for sku, name, price in [("RC-18", "Rice cooker 1,8 L", 459_000), ("CK-SET12", "Set panci", 749_000),
                                 ("CK-TEF5", "Set wajan", 459_000), ("KP-16", "Kipas angin", 329_000)]
    ]  # fmt: skip


def seed(ctx: dict[str, Any]) -> None:
    from relasi.accounts.models import Team
    from relasi.commerce.models import Order, OrderLine, Payment, Store
    from relasi.integrations import bulk

    small = bool(ctx.get("small"))
    rng = random.Random(7)
    teams = {t.name: t for t in Team.objects.all()}
    stores = []
    for code, name, channel, city, province, team in STORES:
        stores.append(
            Store.objects.get_or_create(
                code=code,
                defaults={"name": name, "channel": channel, "city": city, "province": province,
                          "team": teams.get(team) if team else None},
            )[0]
        )  # fmt: skip
    products = _products(ctx)
    by_sku = {p.sku: p for p in products}
    weights = [1.0 / (float(p.unit_price) ** 0.5) for p in products]  # cheap items sell more often
    users = list((ctx.get("users") or {}).values())
    reps = [u for u in users if u.role and u.role.slug == "sales"] or users[:1]
    customers = list(ctx.get("customers") or [])
    if not customers:
        from relasi.customers.models import Customer

        customers = list(Customer.objects.all()[:2000])
    today = timezone.localdate()
    first = dt.date(today.year - 4, 1, 1)
    days = (today - first).days
    # Each customer: a profile, a home store, an active window and a number of orders.
    plans: list[tuple[Any, dt.date, dt.date, int, int]] = []
    for c in customers:
        r = rng.random()
        acc = 0.0
        name, n = PROFILES[-1][0], PROFILES[-1][2]
        for profile, share, orders in PROFILES:
            acc += share
            if r <= acc:
                name, n = profile, orders
                break
        joined = first + dt.timedelta(days=int(days * rng.random() ** 1.3 * 0.95))
        if name == "lapsed":
            end = min(today, joined + dt.timedelta(days=rng.randint(200, 500)))
        else:
            end = today
        count = max(1, int(rng.gauss(n, n / 3)))
        if small:
            count = max(1, count // 4)
        plans.append((c, joined, end, count, rng.choices(range(len(stores)), STORE_WEIGHTS)[0]))
    # Walk-in (anonymous) receipts fill the stores.
    walkins = 400 if small else 6000
    order_rows: list[dict[str, Any]] = []
    for c, joined, end, count, home in plans:
        span = max(1, (end - joined).days)
        for _i in range(count):
            day = joined + dt.timedelta(days=rng.randint(0, span))
            for _try in range(3):  # accept/reject by season so peaks get more orders
                if rng.random() < _season(day) / 3.2 * (1 + 0.1 * (day.year - first.year)):
                    break
                day = joined + dt.timedelta(days=rng.randint(0, span))
            store = stores[home if rng.random() < 0.8 else rng.randrange(len(stores))]
            order_rows.append({"customer": c, "day": day, "store": store})
    for _i in range(walkins):
        day = first + dt.timedelta(days=rng.randint(0, days))
        if rng.random() > _season(day) / 3.2:
            day = first + dt.timedelta(days=rng.randint(0, days))
        order_rows.append({"customer": None, "day": day, "store": stores[rng.randrange(4)]})
    order_rows.sort(key=lambda o: o["day"])
    _write(order_rows, products, by_sku, weights, reps, rng, bulk, Order, OrderLine, Payment)
    _costs(first, today, rng)


def _write(order_rows: list[dict[str, Any]], products: list[Any], by_sku: dict[str, Any], weights: list[float],
           reps: list[Any], rng: random.Random, bulk: Any, Order: Any, OrderLine: Any, Payment: Any) -> None:  # fmt: skip
    from django.db import transaction

    names, defaults, pos = bulk.columns(Order)
    now = timezone.now()
    methods = ["cash", "qris", "transfer", "card", "ewallet"]
    with transaction.atomic():
        ids = bulk.allocate_ids(Order, len(order_rows))
        line_ids = iter(bulk.allocate_ids(OrderLine, len(order_rows) * 6))
        pay_ids = iter(bulk.allocate_ids(Payment, len(order_rows)))
        orders, lines, payments = [], [], []
        for pk, o in zip(ids, order_rows, strict=True):
            c = o["customer"]
            corporate = c is not None and c.kind == "organization"
            items = [rng.choices(products, weights)[0]]
            for anchor, companions, p in BUNDLES:
                if items[0].sku == anchor and rng.random() < p:
                    items += [by_sku[s] for s in companions if s in by_sku and rng.random() < 0.7]
            if rng.random() < 0.25:
                items.append(rng.choices(products, weights)[0])
            seen, total, cost, subtotal, discount = (
                set(),
                Decimal(0),
                Decimal(0),
                Decimal(0),
                Decimal(0),
            )
            for n, prod in enumerate(items, start=1):
                if prod.pk in seen:
                    continue
                seen.add(prod.pk)
                qty = Decimal(
                    rng.choice([5, 10, 20]) if corporate else (2 if rng.random() < 0.1 else 1)
                )
                price = prod.unit_price
                disc = (
                    (price * qty * Decimal("0.05")).quantize(Decimal(1))
                    if rng.random() < 0.2 or corporate
                    else Decimal(0)
                )
                unit_cost = (price * Decimal(rng.uniform(0.6, 0.78))).quantize(Decimal(1))
                line_total = price * qty - disc
                lines.append(
                    (
                        next(line_ids),
                        pk,
                        n,
                        prod.pk,
                        prod.sku,
                        prod.name,
                        qty,
                        price,
                        disc,
                        unit_cost,
                        line_total,
                    )
                )
                subtotal += price * qty
                discount += disc
                total += line_total
                cost += unit_cost * qty
            at = timezone.make_aware(
                dt.datetime.combine(o["day"], dt.time(rng.randint(9, 20), rng.randint(0, 59)))
            )
            if at > now:  # today's receipts: none in the future
                at = now - dt.timedelta(minutes=rng.randint(1, 180))
            store = o["store"]
            owner = (
                (c.owner if c is not None and c.owner_id else None)
                if store.channel == "store"
                else None
            )
            if corporate and owner is None:
                owner = rng.choice(reps) if reps else None
            status = "cancelled" if rng.random() < 0.02 else "completed"
            row = list(defaults)
            values = {"id": pk, "source": "pos" if store.channel == "store" else store.channel,
                      "external_id": f"{store.code}-{o['day']:%y%m%d}-{pk}", "number": f"{store.code}/{o['day']:%Y%m}/{pk}",
                      "customer_id": c.pk if c else None, "channel": store.channel, "store_id": store.pk,
                      "ordered_at": bulk.adapt(at), "order_date": bulk.adapt(timezone.localdate(at)), "status": status,
                      "subtotal": subtotal, "discount_total": discount, "total": total, "cost_total": cost,
                      "paid_total": total if status != "cancelled" else 0, "owner_id": owner.pk if owner else None,
                      "team_id": owner.team_id if owner else store.team_id,
                      "created_at": bulk.adapt(at), "updated_at": bulk.adapt(now)}  # fmt: skip
            for k, v in values.items():
                row[pos[k]] = v
            orders.append(row)
            if status != "cancelled":
                method = "transfer" if corporate else rng.choice(methods)
                payments.append((next(pay_ids), pk, method, total, bulk.adapt(at), ""))
        bulk.insert(Order, names, orders)
        bulk.insert(OrderLine, ("id", "order_id", "line_no", "product_id", "sku", "description", "quantity",
                                "unit_price", "discount", "unit_cost", "line_total"), lines)  # fmt: skip
        bulk.insert(
            Payment, ("id", "order_id", "method", "amount", "paid_at", "reference"), payments
        )


def _costs(first: dt.date, today: dt.date, rng: random.Random) -> None:
    from relasi.analytics.models import CostEntry

    rows = []
    month = first
    while month <= today:
        nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        span = calendar_id.ramadan(month.year)
        boost = 1.6 if span and span[0].month == month.month else 1.0
        rows.append(CostEntry(kind="marketing", period_start=month, period_end=nxt - dt.timedelta(days=1),
                              amount=Decimal(int(rng.uniform(25, 40) * boost)) * 1_000_000, note="Iklan digital + brosur"))  # fmt: skip
        rows.append(CostEntry(kind="sales", period_start=month, period_end=nxt - dt.timedelta(days=1),
                              amount=Decimal(int(rng.uniform(45, 55))) * 1_000_000, note="Gaji + komisi tim sales"))  # fmt: skip
        month = nxt
    CostEntry.objects.bulk_create(rows)
