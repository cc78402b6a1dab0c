"""About 2,000 Indonesian-looking demo customers for PT XYZ, loaded in bulk."""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from relasi.customers import demo_data as D
from relasi.customers import phones, search
from relasi.customers.choices import (
    BlacklistReason,
    Channel,
    Gender,
    Lifecycle,
    Source,
)
from relasi.customers.models import (
    Address,
    Customer,
    EmailAddress,
    Group,
    GroupMembership,
    LifecycleChange,
    Membership,
    Note,
    PhoneNumber,
    Relationship,
)

STAGE_WEIGHTS = [
    (Lifecycle.SUSPECT, 8),
    (Lifecycle.PROSPECT, 22),
    (Lifecycle.CUSTOMER, 35),
    (Lifecycle.REPEAT, 20),
    (Lifecycle.ADVOCATE, 7),
    (Lifecycle.FORMER, 8),
]
SOURCES = [s for s, _l in Source.choices]
SLUG = str.maketrans({" ": ".", "'": ""})


def _stage(rng: random.Random) -> str:
    return rng.choices([s for s, _w in STAGE_WEIGHTS], weights=[w for _s, w in STAGE_WEIGHTS])[0]


def _mobile(rng: random.Random) -> str:
    return (
        "+62"
        + rng.choice(D.MOBILE_PREFIXES)
        + "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((7, 8))))
    )


def seed(ctx: dict[str, Any]) -> None:
    people, organizations = (170, 30) if ctx.get("small") else (1700, 300)
    rng = random.Random(20260101)
    users = [
        u
        for u in ctx["users"].values()
        if u.role and u.role.slug in ("sales", "manager", "service")
    ]
    now = timezone.now()
    customers: list[Customer] = []
    extras: list[dict[str, Any]] = []
    for i in range(people + organizations):
        is_person = i < people
        province, cities = rng.choice(D.PLACES)
        city, postal, area = rng.choice(cities)
        owner = rng.choice(users)
        created = now - dt.timedelta(days=rng.randint(0, 5 * 365), minutes=rng.randint(0, 1440))
        stage = _stage(rng)
        if is_person:
            female = rng.random() < 0.52
            first = rng.choice(D.FIRST_F if female else D.FIRST_M)
            last = rng.choice(D.LAST)
            name = f"{first} {last}".strip()
            email = f"{first}.{last or rng.randint(10, 99)}{rng.randint(1, 999)}@{rng.choice(D.EMAIL_DOMAINS)}".lower().translate(
                SLUG
            )
            phone = _mobile(rng)
            c = Customer(
                kind="person",
                name=name,
                first_name=first,
                last_name=last,
                customer_type="b2c",
                gender=Gender.FEMALE if female else Gender.MALE,
                date_of_birth=dt.date(
                    rng.randint(1955, 2006), rng.randint(1, 12), rng.randint(1, 28)
                ),
                occupation=rng.choice(D.OCCUPATIONS),
                income_band=rng.choice(["low", "middle", "middle", "upper", "high", ""]),
                region="Jabodetabek"
                if province in ("DKI Jakarta", "Banten") or city in ("Bekasi", "Bogor", "Depok")
                else province,
                interests=rng.sample(D.INTERESTS, rng.randint(0, 3)),
                activities=rng.sample(D.ACTIVITIES, rng.randint(0, 2)),
                opinions=rng.sample(D.OPINIONS, rng.randint(0, 2)),
                preferred_channel=rng.choice(
                    [Channel.WHATSAPP, Channel.WHATSAPP, Channel.EMAIL, Channel.PHONE, Channel.SMS]
                ),
            )
        else:
            name = f"{rng.choice(D.COMPANY_PREFIX)} {rng.choice(D.COMPANY_WORDS)} {rng.choice(D.COMPANY_WORDS)}"
            if any(x.name == name for x in customers[-50:]):
                name += f" {city}"
            domain = name.split(" ", 1)[1].lower().replace(" ", "") + ".co.id"
            email = f"info@{domain}"
            phone = f"+62{area}{rng.randint(1000000, 8999999)}"
            c = Customer(
                kind="organization",
                name=name,
                legal_name=name,
                customer_type="b2b",
                industry=rng.choice(D.INDUSTRIES),
                website=f"https://www.{domain}",
                tax_id=f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}.{rng.randint(1, 9)}-{rng.randint(100, 999)}.000",
                employee_count=rng.choice([5, 12, 30, 80, 150, 400, 1200]),
                preferred_channel=Channel.EMAIL,
            )
        c.lifecycle_stage = stage
        c.lifecycle_changed_at = created + dt.timedelta(days=rng.randint(0, 200))
        c.source = rng.choice(SOURCES)
        c.owner = owner
        c.team = owner.team
        c.created_at = created
        c.primary_email = email
        c.primary_phone = phone
        c.city = city
        c.province = province
        c.search_text = " ".join([name, email, *phones.variants(phone), city, province]).lower()
        if rng.random() < 0.012:
            c.is_blacklisted = True
            c.blacklist_reason = rng.choice([r for r, _l in BlacklistReason.choices])
            c.blacklist_note = "Data dari audit 2025"
            c.blacklisted_at = created + dt.timedelta(days=30)
        customers.append(c)
        extras.append(
            {
                "email": email,
                "phone": phone,
                "city": city,
                "province": province,
                "postal": postal + f"{rng.randint(100, 999)}",
                "created": created,
                "stage": stage,
                "owner": owner,
            }
        )
    with transaction.atomic():
        Customer.objects.bulk_create(customers, batch_size=500)
        _children(rng, customers, extras, ctx)
    search.rebuild_index()
    ctx["customers"] = customers


def _children(
    rng: random.Random, customers: list[Customer], extras: list[dict[str, Any]], ctx: dict[str, Any]
) -> None:
    from relasi.privacy import consent as privacy_consent
    from relasi.privacy.models import ConsentEvent

    marketing = privacy_consent.purpose_for("marketing")
    emails, phone_rows, addresses, stages, perms, notes = [], [], [], [], [], []
    for c, x in zip(customers, extras, strict=True):
        emails.append(
            EmailAddress(
                customer=c,
                email=x["email"],
                is_primary=True,
                label="personal" if c.kind == "person" else "work",
            )
        )
        phone_rows.append(
            PhoneNumber(
                customer=c,
                number=x["phone"],
                is_primary=True,
                label="whatsapp" if c.kind == "person" else "work",
            )
        )
        addresses.append(
            Address(
                customer=c,
                kind="home" if c.kind == "person" else "office",
                is_primary=True,
                street=f"{rng.choice(D.STREETS)} No. {rng.randint(1, 250)}",
                rt=f"{rng.randint(1, 15):03d}",
                rw=f"{rng.randint(1, 12):03d}",
                kelurahan=rng.choice(D.KELURAHAN),
                kecamatan=rng.choice(D.KECAMATAN),
                city=x["city"],
                province=x["province"],
                postal_code=x["postal"],
            )
        )
        order = [s for s, _w in STAGE_WEIGHTS]
        path = (
            order[: order.index(x["stage"]) + 1]
            if x["stage"] != Lifecycle.FORMER
            else [Lifecycle.PROSPECT, Lifecycle.CUSTOMER, Lifecycle.FORMER]
        )
        at = x["created"]
        prev = ""
        for stage in path[-3:]:
            stages.append(
                LifecycleChange(
                    customer=c,
                    from_stage=prev,
                    to_stage=stage,
                    changed_at=at,
                    changed_by=x["owner"],
                )
            )
            prev = stage
            at += dt.timedelta(days=rng.randint(3, 120))
        if rng.random() < 0.7:
            for channel in (Channel.EMAIL, Channel.WHATSAPP):
                granted = rng.random() < 0.85
                perms.append(
                    ConsentEvent(
                        customer=c,
                        purpose=marketing,
                        channel=channel,
                        status="granted" if granted else "withdrawn",
                        basis="consent",
                        source=rng.choice(["staff", "web_form", "staff_call"]),
                        wording=marketing.description_id,
                        evidence=rng.choice(["formulir toko", "checkout web", "telepon"]),
                        occurred_at=x["created"],
                        recorded_at=x["created"],
                        actor=x["owner"],
                    )
                )
        if rng.random() < 0.35:
            notes.append(
                Note(
                    customer=c,
                    body=rng.choice(D.NOTES),
                    author=x["owner"],
                    created_at=x["created"] + dt.timedelta(days=rng.randint(1, 60)),
                )
            )
    EmailAddress.objects.bulk_create(emails, batch_size=1000)
    PhoneNumber.objects.bulk_create(phone_rows, batch_size=1000)
    Address.objects.bulk_create(addresses, batch_size=1000)
    LifecycleChange.objects.bulk_create(stages, batch_size=1000)
    ConsentEvent.objects.bulk_create(perms, batch_size=1000)  # the ledger: new rows only
    privacy_consent.rebuild_states()
    Note.objects.bulk_create(notes, batch_size=1000)
    people = [c for c in customers if c.kind == "person"]
    orgs = [c for c in customers if c.kind == "organization"]
    members = []
    for org in orgs:
        for person in rng.sample(people, rng.randint(1, 4)):
            members.append(
                Membership(
                    person=person,
                    organization=org,
                    title=rng.choice(
                        [
                            "Manajer Pembelian",
                            "Direktur",
                            "Staf Admin",
                            "Pemilik",
                            "Kepala Bagian Umum",
                        ]
                    ),
                )
            )
    Membership.objects.bulk_create(members, batch_size=1000, ignore_conflicts=True)
    rels, seen = [], set()
    for _ in range(300):
        a, b = rng.sample(people, 2)
        if (a.pk, b.pk) in seen:
            continue
        seen.add((a.pk, b.pk))
        rels.append(
            Relationship(
                from_customer=a,
                to_customer=b,
                kind=rng.choice(["family", "spouse", "colleague", "friend"]),
            )
        )
    Relationship.objects.bulk_create(rels, batch_size=1000)
    referred = rng.sample(people, min(250, len(people) // 2))
    referrers = max(1, len(referred) // 5)  # a fifth refer the rest: visible referral chains
    for i, c in enumerate(referred[referrers:]):
        c.referred_by = referred[i % referrers]
        c.source = Source.REFERRAL
    Customer.objects.bulk_update(referred[referrers:], ["referred_by", "source"], batch_size=500)
    users = ctx["users"]
    groups = [
        Group.objects.create(
            name="VIP Jakarta",
            description="Pelanggan bernilai tinggi wilayah Jakarta",
            owner=users["manajer.jkt"],
            team=users["manajer.jkt"].team,
        ),
        Group.objects.create(
            name="Peserta bazar Lebaran 2026",
            description="Daftar hadir bazar",
            owner=users["marketing.dewi"],
        ),
        Group.objects.create(
            name="Korporat Surabaya", owner=users["manajer.sby"], team=users["manajer.sby"].team
        ),
    ]
    gm = [
        GroupMembership(group=groups[0], customer=c) for c in people if c.city.startswith("Jakarta")
    ][:80]
    gm += [
        GroupMembership(group=groups[1], customer=c)
        for c in rng.sample(people, min(120, len(people)))
    ]
    gm += [GroupMembership(group=groups[2], customer=c) for c in orgs if c.city == "Surabaya"]
    GroupMembership.objects.bulk_create(gm, batch_size=1000, ignore_conflicts=True)
    # Refresh the search text so organisations' names are findable from their people.
    org_names: dict[int, list[str]] = {}
    for m in members:
        org_names.setdefault(m.person.pk, []).append(m.organization.name)
    updated = []
    for c in people:
        if c.pk in org_names:
            c.search_text = c.search_text + " " + " ".join(org_names[c.pk]).lower()
            updated.append(c)
    Customer.objects.bulk_update(updated, ["search_text"], batch_size=500)
