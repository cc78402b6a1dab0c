"""Demo data for PT XYZ, the household-goods retailer (and its corporate MCU side business):
products and price lists, two pipelines, leads across sources and statuses with scores, deals
over the last twelve months with stage history, quotes, quotas and forecast snapshots — so the
board, forecast and performance pages look alive. Bulk inserts keep it fast."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from relasi.customers.choices import Kind
from relasi.sales import forecast, periods, quoting, scoring
from relasi.sales.actions import quotes as quote_actions
from relasi.sales.choices import LeadEventKind, LeadStatus, StageKind
from relasi.sales.models import (
    AssignmentRule,
    Deal,
    DealLine,
    DealStageChange,
    ForecastSnapshot,
    Lead,
    LeadEvent,
    LostReason,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    Quota,
    QuoteTemplate,
    ScoreSettings,
    ScoringRule,
    Stage,
    WebForm,
)

# (category, sku, name, unit price IDR, PPN %)
PRODUCTS = [
    ("Peralatan dapur", "RC-18", "Rice cooker digital 1,8 L", 459_000, 11),
    ("Peralatan dapur", "RC-10", "Rice cooker mini 1 L", 289_000, 11),
    ("Peralatan dapur", "BL-15", "Blender kaca 1,5 L", 389_000, 11),
    ("Peralatan dapur", "BL-PRO", "Blender pro 2 L 1000 W", 1_250_000, 11),
    ("Peralatan dapur", "KG-2T", "Kompor gas 2 tungku", 529_000, 11),
    ("Peralatan dapur", "AF-45", "Air fryer 4,5 L", 899_000, 11),
    ("Peralatan dapur", "MW-20", "Microwave 20 L", 1_399_000, 11),
    ("Peralatan dapur", "CK-SET12", "Set panci stainless 12 pcs", 749_000, 11),
    ("Peralatan dapur", "CK-TEF5", "Set wajan anti lengket 5 pcs", 459_000, 11),
    ("Elektronik rumah", "KP-16", "Kipas angin berdiri 16 inci", 329_000, 11),
    ("Elektronik rumah", "KP-DIN", "Kipas angin dinding 16 inci", 279_000, 11),
    ("Elektronik rumah", "KP-TWR", "Tower fan dengan remote", 799_000, 11),
    ("Elektronik rumah", "DS-GAL", "Dispenser galon bawah", 1_899_000, 11),
    ("Elektronik rumah", "DS-STD", "Dispenser air panas-dingin", 689_000, 11),
    ("Elektronik rumah", "SV-AC05", "AC split 1/2 PK", 3_299_000, 11),
    ("Elektronik rumah", "TV-50", "Smart TV 50 inci", 5_499_000, 12),
    ("Elektronik rumah", "VC-CL", "Vacuum cleaner tanpa kabel", 1_799_000, 11),
    ("Furnitur", "SF-3S", "Sofa 3 dudukan kain", 3_850_000, 11),
    ("Furnitur", "MJ-MKN6", "Meja makan kayu 6 kursi", 4_750_000, 11),
    ("Furnitur", "LM-3P", "Lemari pakaian 3 pintu", 2_450_000, 11),
    ("Furnitur", "KS-KTR", "Kursi kantor ergonomis", 1_350_000, 11),
    ("Furnitur", "RK-BK", "Rak buku 5 susun", 649_000, 11),
    ("Furnitur", "KSR-160", "Kasur spring bed 160×200", 3_950_000, 12),
    ("Paket MCU", "MCU-BAS", "Paket MCU dasar (per karyawan)", 450_000, 0),
    ("Paket MCU", "MCU-STD", "Paket MCU standar (per karyawan)", 850_000, 0),
    ("Paket MCU", "MCU-EXE", "Paket MCU eksekutif (per karyawan)", 2_100_000, 0),
]
RETAIL_STAGES = [
    ("Prospek", 10, 14),
    ("Kualifikasi", 25, 14),
    ("Penawaran", 50, 10),
    ("Negosiasi", 75, 7),
]
MCU_STAGES = [
    ("Kebutuhan HR", 10, 21),
    ("Proposal paket", 35, 14),
    ("Presentasi", 55, 14),
    ("Kontrak", 80, 10),
]
LOST_REASONS = [
    "Harga terlalu tinggi",
    "Memilih pesaing",
    "Tidak ada anggaran",
    "Tidak ada respons",
    "Stok tidak tersedia",
]
CITIES = [
    ("Jakarta Selatan", "DKI Jakarta"),
    ("Bandung", "Jawa Barat"),
    ("Bekasi", "Jawa Barat"),
    ("Surabaya", "Jawa Timur"),
    ("Malang", "Jawa Timur"),
    ("Semarang", "Jawa Tengah"),
    ("Denpasar", "Bali"),
    ("Medan", "Sumatera Utara"),
]
FIRST = [
    "Andi",
    "Siti",
    "Budi",
    "Dewi",
    "Rizky",
    "Putri",
    "Agus",
    "Rina",
    "Fajar",
    "Indah",
    "Yoga",
    "Lestari",
    "Hendra",
    "Wulan",
    "Bayu",
    "Nur",
]
LAST = [
    "Saputra",
    "Wijaya",
    "Santoso",
    "Lestari",
    "Pratama",
    "Hidayat",
    "Kusuma",
    "Nugroho",
    "Siregar",
    "Harahap",
    "Wibowo",
    "Susanti",
]
COMPANIES = [
    "PT Sinar Abadi",
    "CV Berkah Jaya",
    "PT Maju Bersama",
    "Hotel Melati",
    "Kafe Kopi Kita",
    "PT Karya Nusantara",
    "Klinik Sehat",
    "Kos Harmoni",
    "RS Mitra Keluarga",
    "",
]
SOURCES = ["web_form", "walk_in", "referral", "phone", "social", "event", "campaign"]


def _catalogue(rng: random.Random) -> list[Product]:
    cats = {
        name: ProductCategory.objects.create(name=name, order=i)
        for i, name in enumerate(dict.fromkeys(c for c, *_r in PRODUCTS))
    }
    products = Product.objects.bulk_create(
        [
            Product(
                sku=sku,
                name=name,
                category=cats[cat],
                unit_price=Decimal(price),
                tax_rate=Decimal(tax),
                unit="person" if cat == "Paket MCU" else "pcs",
                stock_level=None if cat == "Paket MCU" else rng.randint(0, 240),
            )
            for cat, sku, name, price, tax in PRODUCTS
        ]
    )
    today = timezone.localdate()
    lists = [
        PriceList.objects.create(
            name="Harga eceran",
            kind="retail",
            is_default=True,
            valid_from=today.replace(month=1, day=1),
        ),
        PriceList.objects.create(
            name="Harga korporat",
            kind="corporate",
            valid_from=today.replace(month=1, day=1),
            valid_until=today.replace(month=12, day=31),
        ),
        PriceList.objects.create(
            name="Harga member", kind="member", description="Anggota program loyalitas"
        ),
    ]
    items = []
    for prod in products:
        items.append(PriceListItem(price_list=lists[0], product=prod, unit_price=prod.unit_price))
        items.append(
            PriceListItem(
                price_list=lists[1],
                product=prod,
                unit_price=(prod.unit_price * Decimal("0.92")).quantize(Decimal(1000)),
            )
        )
        items.append(
            PriceListItem(
                price_list=lists[1],
                product=prod,
                unit_price=(prod.unit_price * Decimal("0.88")).quantize(Decimal(1000)),
                min_quantity=Decimal(20),
            )
        )
        items.append(
            PriceListItem(
                price_list=lists[2],
                product=prod,
                unit_price=(prod.unit_price * Decimal("0.95")).quantize(Decimal(1000)),
            )
        )
    PriceListItem.objects.bulk_create(items)
    return products


def _pipelines() -> list[Pipeline]:
    out = []
    for i, (name, stages, default) in enumerate(
        [("Retail B2B", RETAIL_STAGES, True), ("Paket MCU korporat", MCU_STAGES, False)]
    ):
        p = Pipeline.objects.create(name=name, order=i, is_default=default, description="")
        rows = [
            Stage(pipeline=p, name=s, probability=prob, rotting_days=rot, order=(j + 1) * 10)
            for j, (s, prob, rot) in enumerate(stages)
        ]
        rows += [
            Stage(pipeline=p, name="Menang", probability=100, kind=StageKind.WON, order=90),
            Stage(pipeline=p, name="Kalah", probability=0, kind=StageKind.LOST, order=95),
        ]
        Stage.objects.bulk_create(rows)
        out.append(p)
    LostReason.objects.bulk_create(
        [LostReason(name=n, order=i) for i, n in enumerate(LOST_REASONS)]
    )
    return out


def _rules(ctx: dict[str, Any], products: list[Product]) -> None:
    teams = ctx["teams"]
    users = ctx["users"]
    ScoreSettings.objects.create(half_life_days=30)
    ScoringRule.objects.bulk_create(
        [
            ScoringRule(
                name="Company given",
                name_id="Perusahaan diisi",
                field="company",
                operator="is_set",
                points=10,
                order=1,
            ),
            ScoringRule(
                name="Java region",
                name_id="Wilayah Jawa",
                field="province",
                operator="equals",
                value="dki jakarta, jawa barat, jawa timur, jawa tengah",
                points=5,
                order=2,
            ),
            ScoringRule(
                name="Value ≥ Rp10 million",
                name_id="Nilai ≥ Rp10 juta",
                field="expected_value",
                operator="gte",
                value="10000000",
                points=20,
                order=3,
            ),
            ScoringRule(
                name="Purchasing role",
                name_id="Jabatan pembelian",
                field="job_title",
                operator="contains",
                value="purchas",
                points=10,
                order=4,
            ),
            ScoringRule(
                name="Has a phone number",
                name_id="Ada nomor telepon",
                field="phone",
                operator="is_set",
                points=5,
                order=5,
            ),
            ScoringRule(
                name="Agreed to be contacted",
                name_id="Setuju dihubungi",
                field="consent",
                operator="is_set",
                points=5,
                order=6,
            ),
            ScoringRule(
                name="Filled in the web form",
                name_id="Mengisi formulir web",
                kind="behavioural",
                event=LeadEventKind.WEB_FORM,
                points=15,
                max_points=30,
                order=10,
            ),
            ScoringRule(
                name="Contacted",
                name_id="Sudah dihubungi",
                kind="behavioural",
                event=LeadEventKind.CONTACT,
                points=10,
                max_points=30,
                order=11,
            ),
            ScoringRule(
                name="Activity notes",
                name_id="Catatan aktivitas",
                kind="behavioural",
                event=LeadEventKind.NOTE,
                points=5,
                max_points=20,
                order=12,
            ),
        ]
    )
    AssignmentRule.objects.create(
        name="Jawa Timur → Tim Surabaya",
        order=10,
        match="territory",
        provinces=["Jawa Timur", "Bali"],
        team=teams["Tim Surabaya"],
    )
    mcu = AssignmentRule.objects.create(
        name="Paket MCU → Dimas",
        order=20,
        match="interest",
        interest_keywords=["mcu", "medical check"],
        user=users["sales.dimas"],
    )
    mcu.products.set([p for p in products if p.sku.startswith("MCU")])
    AssignmentRule.objects.create(
        name="Lainnya → Tim Jakarta (bergiliran)", order=90, team=teams["Tim Jakarta"]
    )
    WebForm.objects.create(
        name="Formulir kontak situs web",
        title="Hubungi kami",
        fields=[
            {"name": "name", "required": True},
            {"name": "email", "required": True},
            {"name": "phone", "required": False},
            {"name": "city", "required": False},
            {"name": "interest", "required": False},
        ],
        consent_text="Saya setuju dihubungi oleh PT XYZ melalui e-mail dan WhatsApp.",
        thank_you_text="Terima kasih! Tim kami akan menghubungi Anda dalam 1×24 jam.",
        welcome_subject="Terima kasih telah menghubungi PT XYZ",
    )
    QuoteTemplate.objects.create(
        name="Standar PT XYZ", body=quoting.DEFAULT_BODY, css=quoting.DEFAULT_CSS, is_default=True
    )
    _company()


def _company() -> None:
    """PT XYZ's letterhead for quotes (Settings → Company)."""
    from relasi.core.models import CompanyProfile

    profile = CompanyProfile.current()
    for key, value in {
        "name": "PT XYZ Perabot Nusantara",
        "address": "Jl. Jenderal Sudirman Kav. 52–53\nJakarta Selatan 12190",
        "phone": "+62 21 5550 1200",
        "email": "penjualan@xyz.example",
        "website": "www.xyz.example",
        "tax_id": "01.234.567.8-012.000",
        "bank_name": "Bank Central Asia (BCA)",
        "bank_account_name": "PT XYZ Perabot Nusantara",
        "bank_account_number": "123 456 7890",
        "terms": "Prices include delivery within Jabodetabek. Payment 50 % on order, 50 % on "
        "delivery. This offer is valid until the date shown.",
        "terms_id": "Harga termasuk pengiriman di Jabodetabek. Pembayaran 50 % saat pemesanan, "
        "50 % saat pengiriman. Penawaran berlaku sampai tanggal yang tertera.",
    }.items():
        setattr(profile, key, value)
    profile.save()


def _leads(ctx: dict[str, Any], rng: random.Random, products: list[Product], n: int) -> None:
    users = ctx["users"]
    reps = [users[u] for u in ("sales.rina", "sales.dimas", "sales.putri", "sales.agus")]
    now = timezone.now()
    leads, events = [], []
    customers = [c for c in ctx.get("customers", []) if c.pk]
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, province = rng.choice(CITIES)
        status = rng.choices(
            [
                LeadStatus.NEW,
                LeadStatus.CONTACTED,
                LeadStatus.QUALIFIED,
                LeadStatus.DISQUALIFIED,
                LeadStatus.CONVERTED,
            ],
            [30, 25, 20, 12, 13],
        )[0]
        owner = rng.choice(reps)
        created = now - dt.timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
        source = rng.choice(SOURCES)
        company = rng.choice(COMPANIES)
        prod = rng.choice(products) if rng.random() < 0.6 else None
        lead = Lead(
            first_name=first, last_name=last, name=f"{first} {last}", company=company,
            job_title=rng.choice(["", "Purchasing", "HRD Manager", "Pemilik", "Staf administrasi"]),
            email=f"{first}.{last}{i}@contoh.co.id".lower(), phone=f"+62812{rng.randint(10_000_000, 99_999_999)}",
            city=city, province=province, source=source, status=status, product_interest=prod,
            interest=prod.name if prod else rng.choice(["Perabot kantor", "Peralatan dapur hotel", ""]),
            expected_value=Decimal(rng.choice([2, 5, 8, 12, 25, 40, 75]) * 1_000_000), owner=owner, team=owner.team,
            consent=source == "web_form", consent_at=created if source == "web_form" else None,
            created_at=created, last_activity_at=created + dt.timedelta(days=rng.randint(0, 20)), assigned_at=created,
            disqualify_reason=rng.choice(["no_budget", "no_need", "no_response", "competitor"]) if status == LeadStatus.DISQUALIFIED else "",
        )  # fmt: skip
        if status == LeadStatus.CONVERTED and customers:
            lead.converted_customer = rng.choice(customers)
            lead.converted_at = lead.last_activity_at
        leads.append(lead)
    Lead.objects.bulk_create(leads, batch_size=500)
    for lead in leads:
        events.append(
            LeadEvent(
                lead=lead,
                kind=LeadEventKind.WEB_FORM if lead.source == "web_form" else LeadEventKind.CREATED,
                at=lead.created_at,
                message="",
            )
        )
        events.append(
            LeadEvent(
                lead=lead,
                kind=LeadEventKind.ASSIGNED,
                at=lead.created_at,
                message=f"→ {lead.owner}",
            )
        )
        if lead.status != LeadStatus.NEW:
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=LeadEventKind.CONTACT,
                    at=lead.last_activity_at,
                    actor=lead.owner,
                    message="Telepon pertama",
                )
            )
        for _ in range(rng.randint(0, 3)):
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=LeadEventKind.NOTE,
                    at=lead.last_activity_at,
                    actor=lead.owner,
                    message=rng.choice(
                        ["Minta katalog", "Tanya diskon volume", "Akan dihubungi minggu depan"]
                    ),
                )
            )
        if lead.status == LeadStatus.CONVERTED:
            events.append(
                LeadEvent(
                    lead=lead,
                    kind=LeadEventKind.CONVERTED,
                    at=lead.last_activity_at,
                    actor=lead.owner,
                    message=f"→ {lead.converted_customer}",
                )
            )
    LeadEvent.objects.bulk_create(events, batch_size=1000)
    scoring.rescore_all()


def _deals(
    ctx: dict[str, Any],
    rng: random.Random,
    pipelines: list[Pipeline],
    products: list[Product],
    n: int,
) -> list[Deal]:
    users = ctx["users"]
    reps = [
        users[u] for u in ("sales.rina", "sales.dimas", "sales.putri", "sales.agus", "manajer.jkt")
    ]
    customers = [c for c in ctx.get("customers", []) if c.pk]
    people = [c for c in customers if c.kind == Kind.PERSON] or customers
    orgs = [c for c in customers if c.kind == Kind.ORGANIZATION] or customers
    reasons = list(LostReason.objects.all())
    now = timezone.now()
    today = timezone.localdate()
    plans = []
    for _i in range(n):
        pipeline = pipelines[1] if rng.random() < 0.25 else pipelines[0]
        stages = list(pipeline.stages.all())
        open_stages = [s for s in stages if s.kind == StageKind.OPEN]
        won = next(s for s in stages if s.kind == StageKind.WON)
        lost = next(s for s in stages if s.kind == StageKind.LOST)
        created = now - dt.timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 23))
        age = (now - created).days
        outcome = rng.random()
        if age > 45 and outcome < 0.42:
            final = won
        elif age > 30 and outcome < 0.7:
            final = lost
        else:
            final = None
            # Deals still open are mostly recent ones.
            created = now - dt.timedelta(days=rng.randint(0, 75), hours=rng.randint(0, 23))
            age = (now - created).days
        depth = rng.randint(1, len(open_stages))
        path = open_stages[: (len(open_stages) if final is won else depth)]
        if final:
            path = [*path, final]
        times = [created]
        for _s in path[1:]:
            times.append(
                min(now - dt.timedelta(hours=1), times[-1] + dt.timedelta(days=rng.randint(2, 25)))
            )
        owner = rng.choice(reps)
        mcu = pipeline is pipelines[1]
        catalogue = (
            [p for p in products if p.sku.startswith("MCU")]
            if mcu
            else [p for p in products if not p.sku.startswith("MCU")]
        )
        lines = []
        for prod in rng.sample(catalogue, rng.randint(1, 3)):
            qty = Decimal(rng.choice([20, 50, 80, 150]) if mcu else rng.choice([1, 2, 5, 10, 25]))
            disc = Decimal(rng.choice([0, 0, 0, 5, 10]))
            total = (qty * prod.unit_price * (100 - disc) / 100).quantize(Decimal(1))
            lines.append((prod, qty, disc, total))
        value = sum((x[3] for x in lines), Decimal(0))
        org = rng.choice(orgs) if (mcu or rng.random() < 0.5) else None
        closed = times[-1] if final else None
        expected = closed.date() if closed else today + dt.timedelta(days=rng.randint(-10, 110))
        deal = Deal(
            name=f"{(org.name if org else 'Pesanan')} — {lines[0][0].name}"[:200], pipeline=pipeline, stage=path[-1],
            status="won" if final is won else "lost" if final is lost else "open",
            customer=org if mcu and org else rng.choice(people), organization=org, value=value,
            expected_close_date=expected, closed_at=closed, stage_entered_at=times[-1], owner=owner, team=owner.team,
            forecast_category="commit" if final is won else rng.choice(["pipeline", "pipeline", "best_case", "commit"]),
            lost_reason=rng.choice(reasons) if final is lost else None, created_at=created, source=rng.choice(SOURCES),
        )  # fmt: skip
        plans.append((deal, path, times, lines))
    Deal.objects.bulk_create([p[0] for p in plans], batch_size=500)
    changes, deal_lines = [], []
    for deal, path, times, lines in plans:
        prev = None
        for stage, at in zip(path, times, strict=True):
            changes.append(
                DealStageChange(
                    deal=deal,
                    from_stage=prev,
                    to_stage=stage,
                    at=at,
                    by=deal.owner,
                    seconds_in_previous=int(
                        (at - times[max(0, path.index(stage) - 1)]).total_seconds()
                    )
                    if prev
                    else 0,
                )
            )
            prev = stage
        for j, (prod, qty, disc, total) in enumerate(lines):
            deal_lines.append(
                DealLine(
                    deal=deal,
                    product=prod,
                    description=prod.name,
                    quantity=qty,
                    unit_price=prod.unit_price,
                    discount_percent=disc,
                    line_total=total,
                    order=j,
                )
            )
    DealStageChange.objects.bulk_create(changes, batch_size=1000)
    DealLine.objects.bulk_create(deal_lines, batch_size=1000)
    return [p[0] for p in plans]


def _quotes(deals: list[Deal], rng: random.Random, n: int) -> None:
    candidates = [d for d in deals if d.stage.probability >= 50 and d.customer_id]
    for deal in rng.sample(candidates, min(n, len(candidates))):
        quote = quote_actions.create_quote(deal.owner, deal)
        roll = rng.random()
        if roll < 0.15:
            quote = quote_actions.revise(deal.owner, quote)
        if roll > 0.85:  # a generous discount waiting for the manager
            lines = [
                {
                    "product": ln.product,
                    "description": ln.description,
                    "quantity": ln.quantity,
                    "unit_price": ln.unit_price,
                    "discount_percent": 15,
                    "tax_rate": ln.tax_rate,
                }
                for ln in quote.lines.all()
            ]
            quote = quote_actions.update_quote(deal.owner, quote, {}, lines=lines)
            if quote_actions.needs_approval(quote):
                quote_actions.request_approval(deal.owner, quote)
        elif deal.status == "won" or roll > 0.5:
            from relasi.core import records

            records.update_record(
                deal.owner,
                quote,
                {
                    "status": "sent",
                    "sent_at": timezone.now(),
                    "sent_to": deal.customer.primary_email or "pelanggan@contoh.co.id",
                },
            )


def _targets(ctx: dict[str, Any], rng: random.Random) -> None:
    users, teams = ctx["users"], ctx["teams"]
    reps = [
        users[u] for u in ("sales.rina", "sales.dimas", "sales.putri", "sales.agus", "manajer.jkt")
    ]
    today = timezone.localdate()
    this_q = periods.period_start(today, "quarter")
    quotas = []
    for start in (periods.previous(this_q, "quarter"), this_q):
        for rep in reps:
            quotas.append(
                Quota(
                    user=rep,
                    period_kind="quarter",
                    period_start=start,
                    amount=Decimal(rng.choice([400, 500, 600, 700]) * 1_000_000),
                )
            )
        for team in teams.values():
            quotas.append(
                Quota(
                    team=team,
                    period_kind="quarter",
                    period_start=start,
                    amount=Decimal(2_000_000_000),
                )
            )
    for start in (
        periods.previous(periods.period_start(today, "month"), "month"),
        periods.period_start(today, "month"),
    ):
        for rep in reps:
            quotas.append(
                Quota(
                    user=rep,
                    period_kind="month",
                    period_start=start,
                    amount=Decimal(rng.choice([150, 200, 250]) * 1_000_000),
                )
            )
    Quota.objects.bulk_create(quotas)
    tz = timezone.get_current_timezone()
    for kind in ("month", "quarter"):
        current = periods.period_start(today, kind)
        for start in (periods.previous(current, kind), current):
            taken = dt.datetime.combine(start, dt.time(0, 5), tzinfo=tz)
            forecast.snapshot(kind, start, taken_at=taken)
            # At the start of a period nothing was won yet and the commit guessed what would be:
            # today's closed-won plus commit, off by up to ±20 %.
            for snap in ForecastSnapshot.objects.filter(
                period_kind=kind, period_start=start, taken_at=taken
            ):
                factor = Decimal(str(round(rng.uniform(0.8, 1.2), 2)))
                snap.commit = ((snap.closed_won + snap.commit) * factor).quantize(Decimal(1))
                snap.closed_won = Decimal(0)
                snap.save(update_fields=["commit", "closed_won"])


def seed(ctx: dict[str, Any]) -> None:
    """Add this app's demo records; ctx carries users, teams and customers from earlier seeders."""
    rng = random.Random(5)
    small = ctx.get("small", False)
    products = _catalogue(rng)
    pipelines = _pipelines()
    _rules(ctx, products)
    _leads(ctx, rng, products, 40 if small else 350)
    deals = _deals(ctx, rng, pipelines, products, 40 if small else 400)
    _quotes(deals, rng, 5 if small else 40)
    _targets(ctx, rng)
    ctx["products"] = products
    ctx["pipelines"] = pipelines
