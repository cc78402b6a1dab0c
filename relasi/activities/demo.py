"""Demo activities for PT XYZ: tasks for every rep (some overdue, some delegated by managers),
calls and meetings over the past months and the next weeks, appointments in every
confirmation state, field visits with GPS points near Jakarta and Surabaya customers (whose
addresses get coordinates here), reminders and notifications. Bulk inserts only."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from relasi.activities.choices import (
    CallOutcome,
    Confirmation,
    Direction,
    Kind,
    Priority,
    Recipient,
    Status,
    VisitOutcome,
)
from relasi.activities.geo import haversine_m
from relasi.activities.models import Activity, Notification, Reminder, Visit

# City centres (WGS84) used to place demo customers on the map.
CENTRES = {
    "Jakarta Selatan": (-6.2615, 106.8106),
    "Jakarta Barat": (-6.1683, 106.7589),
    "Jakarta Timur": (-6.2250, 106.9004),
    "Jakarta Utara": (-6.1381, 106.8636),
    "Jakarta Pusat": (-6.1865, 106.8343),
    "Surabaya": (-7.2575, 112.7521),
}
TASKS = [
    "Kirim penawaran harga",
    "Follow-up pembayaran faktur",
    "Siapkan sampel produk",
    "Perbarui data kontak pelanggan",
    "Konfirmasi jadwal pengiriman",
    "Kirim katalog terbaru",
    "Hubungi kembali soal komplain",
    "Siapkan kontrak kerja sama",
    "Cek stok untuk pesanan besar",
    "Kirim ucapan terima kasih",
]
CALL_NOTES = [
    "Tertarik dengan promo bulan ini.",
    "Minta dikirim daftar harga lewat e-mail.",
    "Sedang rapat, minta ditelepon besok pagi.",
    "Puas dengan pengiriman terakhir.",
    "Menanyakan garansi produk.",
    "",
]
MEETINGS = [
    "Presentasi produk baru",
    "Negosiasi kontrak tahunan",
    "Kunjungan ke toko",
    "Demo peralatan dapur",
    "Rapat evaluasi kerja sama",
]
PLACES = ["Kantor pelanggan", "Kantor PT XYZ, Jakarta", "Kafe dekat Senayan", "Showroom Surabaya"]


def _rng_dt(rng: random.Random, now: dt.datetime, days_from: int, days_to: int) -> dt.datetime:
    day = timezone.localtime(now) + dt.timedelta(days=rng.randint(days_from, days_to))
    return day.replace(
        hour=rng.randint(8, 16), minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0
    )


def _place_customers(rng: random.Random, customers: list[Any]) -> dict[int, tuple[float, float]]:
    """Give most Jakarta and Surabaya customers' primary addresses coordinates."""
    from relasi.customers.models import Address

    ids = [c.pk for c in customers if c.city in CENTRES]
    addresses = list(Address.objects.filter(customer_id__in=ids, is_primary=True))
    sites: dict[int, tuple[float, float]] = {}
    changed = []
    for address in addresses:
        if address.city not in CENTRES or rng.random() < 0.2:
            continue  # some stay without a position: "unknown distance" in the demo
        lat, lng = CENTRES[address.city]
        lat, lng = lat + rng.uniform(-0.03, 0.03), lng + rng.uniform(-0.03, 0.03)
        address.latitude = Decimal(f"{lat:.6f}")
        address.longitude = Decimal(f"{lng:.6f}")
        changed.append(address)
        sites[address.customer_id] = (lat, lng)
    Address.objects.bulk_update(changed, ["latitude", "longitude"], batch_size=500)
    return sites


def seed(ctx: dict[str, Any]) -> None:
    """Add activities for every sales rep and manager; respects ctx["small"]."""
    small = bool(ctx.get("small"))
    rng = random.Random(20260505)
    now = timezone.now()
    users = list(ctx["users"].values())
    reps = [u for u in users if u.role and u.role.slug == "sales"]
    managers = {u.pk: u for u in users if u.role and u.role.slug == "manager"}
    customers = list(ctx.get("customers") or [])
    if not reps or not customers:
        return
    sites = _place_customers(rng, customers)
    by_owner: dict[int | None, list[Any]] = {}
    for c in customers:
        by_owner.setdefault(c.owner_id, []).append(c)
    n_tasks, n_calls, n_meetings, n_days = (8, 10, 5, 6) if small else (25, 60, 20, 30)
    activities: list[Activity] = []
    for rep in reps:
        own = by_owner.get(rep.pk) or customers
        boss = managers.get(rep.manager_id) if rep.manager_id else None
        activities += _tasks(rng, now, rep, boss, own, n_tasks)
        activities += _calls(rng, now, rep, own, n_calls)
        activities += _meetings(rng, now, rep, own, n_meetings)
    Activity.objects.bulk_create(activities, batch_size=500)
    _reminders(now)
    visits: list[Visit] = []
    for rep in reps:
        placed = [c for c in (by_owner.get(rep.pk) or []) if c.city in CENTRES]
        if placed:
            visits += _visits(rng, now, rep, placed, sites, n_days)
    Visit.objects.bulk_create(visits, batch_size=500)
    _notifications(rng, now, reps, activities)


def _base(rep: Any, created: dt.datetime, **fields: Any) -> Activity:
    return Activity(owner=rep, team_id=rep.team_id, created_at=created, **fields)


def _tasks(
    rng: random.Random, now: dt.datetime, rep: Any, boss: Any, own: list[Any], n: int
) -> list[Activity]:
    out = []
    for i in range(n):
        roll = rng.random() if i > 2 else (0.0, 0.1, 0.25)[i]  # every rep: 2 overdue, 1 today
        if roll < 0.2:  # overdue
            due, status = _rng_dt(rng, now, -10, -1), rng.choice((Status.OPEN, Status.IN_PROGRESS))
        elif roll < 0.3:
            due, status = (
                timezone.localtime(now).replace(hour=17, minute=0, second=0, microsecond=0),
                Status.OPEN,
            )
        elif roll < 0.55:
            due, status = _rng_dt(rng, now, 1, 21), rng.choice((Status.OPEN, Status.WAITING))
        elif roll < 0.65:
            due, status = None, Status.OPEN
        else:
            due, status = _rng_dt(rng, now, -90, -1), Status.DONE
        delegated = boss is not None and i % 4 == 0
        out.append(
            _base(
                rep,
                (due or now) - dt.timedelta(days=rng.randint(2, 10)),
                kind=Kind.TASK,
                title=rng.choice(TASKS),
                status=status,
                priority=rng.choice(
                    [Priority.NORMAL] * 3 + [Priority.HIGH, Priority.LOW, Priority.URGENT]
                ),
                progress=100 if status == Status.DONE else rng.choice((0, 0, 20, 50, 80)),
                due_at=due,
                done_at=due if status == Status.DONE else None,
                assigned_by=boss if delegated else rep,
                customer=rng.choice(own) if rng.random() < 0.8 else None,
            )
        )
    return out


def _calls(
    rng: random.Random, now: dt.datetime, rep: Any, own: list[Any], n: int
) -> list[Activity]:
    outcomes = [o for o, _l in CallOutcome.choices]
    out = []
    for i in range(n):
        customer = rng.choice(own)
        planned = i % 8 == 0
        when = _rng_dt(rng, now, 1, 14) if planned else _rng_dt(rng, now, -120, 0)
        if not planned and when > now:
            when = now - dt.timedelta(hours=rng.randint(1, 48))
        out.append(
            _base(
                rep,
                when,
                kind=Kind.CALL,
                title=f"Telepon {customer.name}",
                status=Status.OPEN if planned else Status.DONE,
                progress=0 if planned else 100,
                due_at=when,
                done_at=None if planned else when,
                assigned_by=rep,
                customer=customer,
                direction=rng.choice([Direction.OUTBOUND] * 3 + [Direction.INBOUND]),
                outcome="" if planned else rng.choices(outcomes, weights=(55, 20, 10, 3, 12))[0],
                duration_minutes=None if planned else rng.randint(1, 25),
                description="" if planned else rng.choice(CALL_NOTES),
            )
        )
    return out


def _meetings(
    rng: random.Random, now: dt.datetime, rep: Any, own: list[Any], n: int
) -> list[Activity]:
    out = []
    future_states = [
        Confirmation.PENDING,
        Confirmation.CONFIRMED,
        Confirmation.CONFIRMED,
        Confirmation.DECLINED,
        Confirmation.RESCHEDULED,
    ]
    for i in range(n):
        customer = rng.choice(own)
        future = i % 2 == 0
        start = _rng_dt(rng, now, 1, 21) if future else _rng_dt(rng, now, -90, -1)
        if future:
            confirmation, status = future_states[i // 2 % len(future_states)], Status.OPEN
        else:
            confirmation = Confirmation.NO_SHOW if i % 7 == 1 else Confirmation.CONFIRMED
            status = Status.CANCELLED if confirmation == Confirmation.NO_SHOW else Status.DONE
        sent = start - dt.timedelta(days=rng.randint(2, 6))
        out.append(
            _base(
                rep,
                sent - dt.timedelta(hours=2),
                kind=Kind.APPOINTMENT if i % 3 else Kind.MEETING,
                title=rng.choice(MEETINGS),
                status=status,
                progress=100 if status == Status.DONE else 0,
                due_at=start,
                ends_at=start + dt.timedelta(minutes=rng.choice((30, 60, 90))),
                done_at=start if status == Status.DONE else None,
                assigned_by=rep,
                customer=customer,
                location=rng.choice(PLACES),
                confirmation=confirmation,
                invitation_sent_at=sent if customer.primary_email else None,
                responded_at=sent + dt.timedelta(hours=5)
                if confirmation not in (Confirmation.PENDING, Confirmation.NO_SHOW)
                else None,
                confirmation_note="Mohon dijadwalkan ulang minggu depan."
                if confirmation == Confirmation.RESCHEDULED
                else "",
            )
        )
    return out


def _reminders(now: dt.datetime) -> None:
    rows = []
    upcoming = Activity.objects.filter(due_at__gt=now, status=Status.OPEN).exclude(kind=Kind.CALL)
    for a in upcoming.only("id", "due_at", "kind", "customer_id"):
        assert a.due_at is not None
        rows.append(
            Reminder(activity=a, minutes_before=30, remind_at=a.due_at - dt.timedelta(minutes=30))
        )
        if a.kind == Kind.APPOINTMENT and a.customer_id:
            rows.append(
                Reminder(
                    activity=a,
                    recipient=Recipient.CUSTOMER,
                    minutes_before=1440,
                    remind_at=a.due_at - dt.timedelta(days=1),
                )
            )
    # Reminders whose time has passed count as delivered (the demo has no past to replay).
    for r in rows:
        if r.remind_at <= now:
            r.sent_at = r.remind_at
    Reminder.objects.bulk_create(rows, batch_size=500)


def _visits(
    rng: random.Random,
    now: dt.datetime,
    rep: Any,
    placed: list[Any],
    sites: dict[int, tuple[float, float]],
    days: int,
) -> list[Visit]:
    out = []
    today = timezone.localtime(now).date()
    for back in range(days, -1, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8, rng.randint(30, 59))))
        for _n in range(rng.randint(1, 4)):
            if start > now:
                break
            customer = rng.choice(placed)
            site = sites.get(customer.pk)
            far = rng.random() < 0.08
            spread = rng.uniform(0.006, 0.015) if far else rng.uniform(0.0, 0.002)
            base = site or CENTRES.get(customer.city, (-6.2, 106.8))
            lat, lng = base[0] + rng.choice((-1, 1)) * spread, base[1] + rng.uniform(-0.001, 0.001)
            minutes = rng.randint(15, 90)
            checked_out = start + dt.timedelta(minutes=minutes)
            still_there = back == 0 and checked_out > now
            distance = round(haversine_m(site[0], site[1], lat, lng)) if site else None
            out.append(
                Visit(
                    owner=rep,
                    team_id=rep.team_id,
                    created_at=start,
                    customer=customer,
                    checked_in_at=start,
                    in_lat=Decimal(f"{lat:.6f}"),
                    in_lng=Decimal(f"{lng:.6f}"),
                    in_accuracy_m=rng.randint(5, 40),
                    in_distance_m=distance,
                    site_lat=Decimal(f"{site[0]:.6f}") if site else None,
                    site_lng=Decimal(f"{site[1]:.6f}") if site else None,
                    checked_out_at=None if still_there else checked_out,
                    out_lat=None if still_there else Decimal(f"{lat:.6f}"),
                    out_lng=None if still_there else Decimal(f"{lng:.6f}"),
                    out_accuracy_m=None if still_there else rng.randint(5, 40),
                    out_distance_m=None if still_there else distance,
                    outcome=""
                    if still_there
                    else rng.choice([o for o, _l in VisitOutcome.choices]),
                    notes="" if still_there else rng.choice(CALL_NOTES),
                )
            )
            start = checked_out + dt.timedelta(minutes=rng.randint(20, 75))
    return out


def _notifications(
    rng: random.Random, now: dt.datetime, reps: list[Any], activities: list[Activity]
) -> None:
    rows = []
    for rep in reps:
        theirs = [a for a in activities if a.owner_id == rep.pk and a.pk]
        for a in rng.sample(theirs, min(4, len(theirs))):
            rows.append(
                Notification(
                    user=rep,
                    text=f"Pengingat: {a.title}",
                    url=a.get_absolute_url(),
                    kind="reminder",
                    created_at=now - dt.timedelta(hours=rng.randint(1, 30)),
                )
            )
    Notification.objects.bulk_create(rows)
