"""Demo data for PT XYZ's service team: queues, routing, SLA and escalation rules, canned
replies, scripts, a bilingual knowledge base, ~400 tickets over the last year with realistic SLA
outcomes (mostly met, improving), conversations, complaints with root causes, and CSAT/CES/NPS
answers so the dashboard has trends. Bulk inserts; `ctx["small"]` makes it ~60 tickets."""

import datetime as dt
import hashlib
import random
import secrets
from typing import Any

from django.utils import timezone

from relasi.core.models import Tag
from relasi.customers.models import Customer, Group
from relasi.service import actions, search, sla
from relasi.service import businesstime as bt
from relasi.service import demo_data as D
from relasi.service.choices import MessageKind, Status, SurveyKind
from relasi.service.models import (
    Alert,
    ArticleCategory,
    BusinessHours,
    CannedReply,
    Category,
    DialogueScript,
    EscalationRule,
    NpsCampaign,
    Queue,
    RoutingRule,
    SLAPolicy,
    Survey,
    Ticket,
    TicketCounter,
    TicketLink,
    TicketMessage,
    TicketType,
)
from relasi.service.scripts import parse

TYPE_WEIGHTS = [
    ("question", 33),
    ("complaint", 27),
    ("service_request", 14),
    ("return", 10),
    ("warranty", 16),
]
CHANNEL_WEIGHTS = [
    ("whatsapp", 30),
    ("phone", 24),
    ("email", 18),
    ("walk_in", 10),
    ("web_form", 6),
    ("social", 6),
    ("portal", 6),
]
PRIORITY_WEIGHTS = [("low", 15), ("normal", 55), ("high", 22), ("urgent", 8)]
CATEGORY_BY_TYPE = {
    "complaint": ["Product quality", "Delivery", "Store service", "Billing and payment"],
    "question": ["Account and membership", "Other", "Billing and payment"],
    "service_request": ["Installation and repair", "Account and membership", "Delivery"],
    "return": ["Product quality", "Delivery"],
    "warranty": ["Product quality", "Installation and repair"],
}


def _pick(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weights], weights=[w for _k, w in weights])[0]


def _hash() -> str:
    return hashlib.sha256(secrets.token_bytes(16)).hexdigest()


def _config(ctx: dict[str, Any]) -> dict[str, Any]:
    users, teams = ctx["users"], ctx["teams"]
    yusuf, maya = users["cs.yusuf"], users["cs.maya"]
    jkt, sby = teams["Tim Jakarta"], teams["Tim Surabaya"]
    Queue.objects.update(is_default=False)
    general, _c = Queue.objects.get_or_create(name="Layanan Pelanggan")
    general.team, general.is_default, general.description = jkt, True, "Antrean umum Jakarta"
    general.save()
    general.agents.set([yusuf])
    surabaya = Queue.objects.create(
        name="CS Surabaya", team=sby, strategy="least_loaded", description="Cabang Surabaya"
    )
    surabaya.agents.set([maya])
    warranty = Queue.objects.create(
        name="Garansi & Retur", team=jkt, description="Klaim garansi, retur dan RMA"
    )
    warranty.agents.set([yusuf, maya])
    vip = Tag.objects.get_or_create(name="VIP")[0]
    group = Group.objects.filter(name="VIP Jakarta").first()
    vip_ids: set[int] = set()
    if group is not None:
        vip_ids = set(group.memberships.values_list("customer_id", flat=True))
        through = Customer.tags.through
        through.objects.bulk_create(
            [through(customer_id=c, tag_id=vip.pk) for c in vip_ids], ignore_conflicts=True
        )
    types = {t.key: t for t in TicketType.objects.all()}
    RoutingRule.objects.bulk_create(
        [
            RoutingRule(
                name="Klaim garansi", order=10, ticket_type=types["warranty"], queue=warranty
            ),
            RoutingRule(name="Retur / RMA", order=20, ticket_type=types["return"], queue=warranty),
            RoutingRule(
                name="Pelanggan VIP", order=30, customer_tag=vip, queue=general, set_priority="high"
            ),
            RoutingRule(
                name="Kata kunci Surabaya",
                order=40,
                keywords="surabaya, sidoarjo, gresik",
                queue=surabaya,
            ),
        ]
    )
    calendar = BusinessHours.objects.get(is_default=True)
    SLAPolicy.objects.create(
        name="VIP",
        order=10,
        customer_tag=vip,
        first_response_minutes=30,
        resolution_minutes=240,
        calendar=calendar,
    )
    EscalationRule.objects.bulk_create(
        [
            EscalationRule(
                name="Respons pertama terlewat: beri tahu manajer",
                order=10,
                trigger="fr_breach",
                notify_manager=True,
            ),
            EscalationRule(
                name="Penyelesaian terlewat 1 hari: naikkan prioritas",
                order=20,
                trigger="res_breach",
                delay_minutes=24 * 60,
                raise_priority=True,
                notify_manager=True,
            ),
        ]
    )
    CannedReply.objects.bulk_create(
        [CannedReply(title=t, language=lang, body=body) for t, lang, body in D.CANNED]
    )
    for name, type_key, description, source in D.SCRIPTS:
        start, steps = parse(source)
        DialogueScript.objects.create(
            name=name,
            description=description,
            ticket_type=types[type_key],
            source=source,
            steps=steps,
            start_step=start,
        )
    return {
        "queues": {"general": general, "surabaya": surabaya, "warranty": warranty},
        "sby": sby,
        "vip_ids": vip_ids,
        "vip": vip,
        "types": types,
        "agents": (yusuf, maya),
    }


def _kb(ctx: dict[str, Any]) -> None:
    author = ctx["users"]["cs.yusuf"]
    cats = {}
    for i, (slug, name, name_id) in enumerate(D.ARTICLE_CATEGORIES):
        cats[slug] = ArticleCategory.objects.create(slug=slug, name=name, name_id=name_id, order=i)
    for slug, cat, visibility, status, texts in D.ARTICLES:
        translations = {
            lang: {"title": t, "summary": s, "body": b} for lang, (t, s, b) in texts.items()
        }
        actions.save_article(
            author,
            None,
            {
                "slug": slug,
                "category": cats.get(cat) if cat else None,
                "visibility": visibility,
                "status": status,
            },
            translations,
        )


class _Factory:
    """Builds tickets, messages and surveys in memory for one bulk insert each."""

    def __init__(self, ctx: dict[str, Any], cfg: dict[str, Any]) -> None:
        self.rng = random.Random(20260606)
        self.now = timezone.now()
        self.cfg = cfg
        self.cal = sla.calendar_for(None)
        self.policies = sla.active_policies()
        self.categories = {c.name: c for c in Category.objects.all()}
        self.customers = [c for c in ctx["customers"] if c.pk]
        self.tickets: list[Ticket] = []
        self.messages: list[tuple[int, TicketMessage]] = []
        self.surveys: list[tuple[int, Survey]] = []
        self.links: list[tuple[int, str, int]] = []

    def when(self) -> dt.datetime:
        """Mostly office hours on working days, sometimes evenings and weekends (WhatsApp)."""
        rng = self.rng
        # Busier lately (the business grows): more tickets in recent weeks than a year ago.
        day = timezone.localdate(self.now) - dt.timedelta(days=int(364 * rng.random() ** 1.35))
        if rng.random() < 0.8:
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            hour = rng.randint(8, 16)
        else:
            hour = rng.randint(6, 22)
        moment = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=self.cal.tz)
        return min(moment, self.now - dt.timedelta(minutes=rng.randint(5, 600)))

    def quality(self, created: dt.datetime) -> float:
        """0 a year ago … 1 today: the team gets better over the year."""
        age = (self.now - created).days
        return max(0.0, min(1.0, 1 - age / 365))

    def ticket(self, index: int) -> Ticket:
        rng, cfg = self.rng, self.cfg
        customer = rng.choice(self.customers)
        type_key = _pick(rng, TYPE_WEIGHTS)
        subject, description = rng.choice(D.SUBJECTS[type_key])
        created = self.when()
        vip = customer.pk in cfg["vip_ids"]
        priority = "high" if vip else _pick(rng, PRIORITY_WEIGHTS)
        if type_key in ("warranty", "return"):
            queue = cfg["queues"]["warranty"]
        elif customer.team_id == cfg["sby"].pk:
            queue = cfg["queues"]["surabaya"]
        else:
            queue = cfg["queues"]["general"]
        owner = (
            rng.choice(cfg["agents"])
            if queue.name == "Garansi & Retur"
            else (cfg["agents"][1] if queue.name == "CS Surabaya" else cfg["agents"][0])
        )
        t = Ticket(
            ticket_type=cfg["types"][type_key],
            customer=customer,
            channel=_pick(rng, CHANNEL_WEIGHTS),
            subject=subject,
            description=description,
            category=self.categories.get(rng.choice(CATEGORY_BY_TYPE[type_key])),
            priority=priority,
            queue=queue,
            owner=owner,
            team=queue.team,
            created_at=created,
        )
        tags = {cfg["vip"].pk} if vip else set()
        policy = sla.first_match(self.policies, t, tags, customer.customer_type)
        paused = self.rng.uniform(60, 900) if rng.random() < 0.2 else 0.0
        t.sla_paused_seconds = int(paused * 60)
        sla.compute_dues(t, policy, self.cal)
        self.outcome(t, policy, paused, index)
        return t

    def outcome(self, t: Ticket, policy: Any, paused: float, index: int) -> None:
        rng, now, cal = self.rng, self.now, self.cal
        q = self.quality(t.created_at)
        fr_target = policy.first_response_minutes if policy else 240
        res_target = policy.resolution_minutes if policy else 1440
        fr_met = rng.random() < 0.76 + 0.17 * q
        res_met = rng.random() < 0.72 + 0.18 * q
        fr = rng.uniform(3, 0.9 * fr_target) if fr_met else rng.uniform(1.05, 2.5) * fr_target
        res = (
            rng.uniform(0.15, 0.95) * res_target if res_met else rng.uniform(1.05, 3.0) * res_target
        )
        res = max(res, fr + 5)
        if (now - t.created_at).days < 21 and rng.random() < 0.3:
            res = max(res, 4 * res_target)  # still being worked on (waiting on parts, on hold …)
        responded = bt.add_business_minutes(cal, t.created_at, fr)
        resolved = bt.add_business_minutes(cal, t.created_at, res + paused)
        t.last_activity_at = t.created_at
        if responded <= now:
            t.first_responded_at, t.first_response_minutes = responded, int(fr)
            t.first_response_breached = bool(
                t.first_response_due and responded > t.first_response_due
            )
            t.last_activity_at = responded
        elif t.first_response_due and now > t.first_response_due:
            t.first_response_breached = True
        fcr = rng.random() < 0.5 + 0.2 * q
        if resolved <= now:
            t.resolved_at, t.resolution_minutes = resolved, int(res)
            t.resolution_breached = bool(t.resolution_due and resolved > t.resolution_due)
            closed = resolved + dt.timedelta(days=2)
            if closed <= now and rng.random() < 0.75:
                t.status, t.closed_at = Status.CLOSED, closed
            else:
                t.status = Status.RESOLVED
            t.sla_paused_at = resolved
            t.fcr = fcr and not t.resolution_breached
            t.last_activity_at = resolved
        else:
            t.resolution_breached = bool(t.resolution_due and now > t.resolution_due)
            if t.first_responded_at is None:
                t.status = Status.NEW
            else:
                t.status = rng.choice([Status.OPEN, Status.OPEN, Status.PENDING, Status.ON_HOLD])
            if t.status == Status.PENDING:
                t.sla_paused_at = t.last_activity_at
        if not t.fcr and t.first_responded_at is not None:
            t.customer_message_count = rng.randint(1, 2)
        if t.first_response_breached or t.resolution_breached:
            t.escalation_level = 1 if rng.random() < 0.5 else 0
            t.fcr = False if t.resolved_at else None
        if t.ticket_type.is_complaint and t.resolved_at:
            cause, detail, resolution = rng.choice(D.RESOLUTIONS["complaint"])
            t.root_cause, t.root_cause_detail, t.resolution = cause, detail, resolution
        elif t.resolved_at:
            t.resolution = rng.choice(D.RESOLUTIONS["other"])[2]
        self.conversation(t, index)
        self.survey(t, index, q)

    def conversation(self, t: Ticket, index: int) -> None:
        rng = self.rng
        name = t.customer.first_name or t.customer.name
        if t.first_responded_at:
            self.messages.append(
                (
                    index,
                    TicketMessage(
                        kind=MessageKind.REPLY,
                        body=rng.choice(D.FIRST_REPLIES).format(name=name),
                        author=t.owner,
                        created_at=t.first_responded_at,
                        emailed_to=t.customer.primary_email if t.channel == "email" else "",
                        emailed_at=t.first_responded_at if t.channel == "email" else None,
                    ),
                )
            )
            end = t.resolved_at or self.now
            for _i in range(t.customer_message_count):
                at = t.first_responded_at + (end - t.first_responded_at) * rng.uniform(0.2, 0.8)
                self.messages.append(
                    (
                        index,
                        TicketMessage(
                            kind=MessageKind.CUSTOMER,
                            body=rng.choice(D.CUSTOMER_FOLLOWUPS),
                            created_at=at,
                        ),
                    )
                )
            if rng.random() < 0.3:
                self.messages.append(
                    (
                        index,
                        TicketMessage(
                            kind=MessageKind.NOTE,
                            body="Cek stok pengganti di gudang Cikarang.",
                            author=t.owner,
                            created_at=t.first_responded_at + (end - t.first_responded_at) / 2,
                        ),
                    )
                )
        if t.resolved_at:
            self.messages.append(
                (
                    index,
                    TicketMessage(
                        kind=MessageKind.REPLY,
                        body=D.FINAL_REPLY.format(name=name),
                        author=t.owner,
                        created_at=t.resolved_at,
                    ),
                )
            )

    def survey(self, t: Ticket, index: int, q: float) -> None:
        rng = self.rng
        if not t.resolved_at or not t.customer.primary_email or rng.random() > 0.6:
            return
        sent = t.resolved_at + dt.timedelta(minutes=5)
        s = Survey(
            kind=SurveyKind.CSAT,
            customer=t.customer,
            token_hash=_hash(),
            email=t.customer.primary_email,
            sent_at=sent,
            expires_at=sent + dt.timedelta(days=30),
        )
        answered_at = sent + dt.timedelta(hours=rng.uniform(1, 72))
        if rng.random() < 0.65 and answered_at <= self.now:
            good = not (t.first_response_breached or t.resolution_breached)
            weights = [3, 4, 10, 33 + 10 * q, 50 + 10 * q] if good else [15, 20, 25, 25, 15]
            s.csat = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
            s.ces = max(1, min(7, s.csat + rng.choice([1, 2, 2, 1, 0, -1]) + (1 if t.fcr else -1)))
            s.comment = rng.choice(D.CSAT_COMMENTS[s.csat])
            s.responded_at = answered_at
        self.surveys.append((index, s))


def _number(tickets: list[Ticket]) -> None:
    counters: dict[int, int] = {}
    for t in sorted(tickets, key=lambda x: x.created_at):
        year = timezone.localtime(t.created_at).year
        counters[year] = counters.get(year, 0) + 1
        t.number = f"TKT-{year}-{counters[year]:06d}"
    for year, last in counters.items():
        TicketCounter.objects.update_or_create(year=year, defaults={"last": last})


def _links(f: _Factory, saved: list[Ticket]) -> None:
    types = [ct for ct in actions.linkable_types() if ct.model == "product"]
    if not types:
        return
    model = types[0].model_class()
    products = list(model._default_manager.values_list("pk", "name")[:40]) if model else []
    if not products:
        return
    rows = []
    for t in saved:
        if t.ticket_type.key in ("complaint", "warranty", "return") and f.rng.random() < 0.6:
            pk, name = f.rng.choice(products)
            rows.append(
                TicketLink(
                    ticket=t,
                    content_type=types[0],
                    object_id=pk,
                    label=str(name)[:200],
                    created_at=t.created_at,
                )
            )
    TicketLink.objects.bulk_create(rows, ignore_conflicts=True)


def _nps(ctx: dict[str, Any], rng: random.Random) -> None:
    now = timezone.now()
    people = [c for c in ctx["customers"] if c.pk and c.primary_email]
    per = 6 if ctx.get("small") else 25
    creator = ctx["users"]["manajer.jkt"]
    rows = []
    for months_ago in range(11, -1, -1):
        sent = now - dt.timedelta(days=30 * months_ago + 12)
        campaign = NpsCampaign.objects.create(
            name=f"NPS {timezone.localtime(sent):%B %Y}",
            created_by=creator,
            created_at=sent,
            sent_count=per,
        )
        q = (11 - months_ago) / 11
        for c in rng.sample(people, min(per, len(people))):
            s = Survey(
                kind=SurveyKind.NPS,
                customer=c,
                campaign=campaign,
                token_hash=_hash(),
                email=c.primary_email,
                sent_at=sent,
                expires_at=sent + dt.timedelta(days=30),
            )
            if rng.random() < 0.55:
                band = rng.choices(
                    ["promoter", "passive", "detractor"], weights=[35 + 15 * q, 35, 30 - 15 * q]
                )[0]
                s.nps = {
                    "promoter": rng.choice([9, 10]),
                    "passive": rng.choice([7, 8]),
                    "detractor": rng.randint(2, 6),
                }[band]
                s.comment = rng.choice(D.NPS_COMMENTS[band])
                s.responded_at = sent + dt.timedelta(hours=rng.uniform(2, 240))
            rows.append(s)
    Survey.objects.bulk_create(rows, batch_size=500)


def seed(ctx: dict[str, Any]) -> None:
    """Add this app's demo records; ctx carries users, teams and customers from earlier seeders."""
    if not ctx.get("customers") or "cs.yusuf" not in ctx.get("users", {}):
        return
    cfg = _config(ctx)
    _kb(ctx)
    f = _Factory(ctx, cfg)
    count = 60 if ctx.get("small") else 420
    drafts = [f.ticket(i) for i in range(count)]
    _number(drafts)
    for t in drafts:
        t.search_text = search.ticket_text(t)
    saved = Ticket.objects.bulk_create(drafts, batch_size=500)
    messages = []
    for index, m in f.messages:
        m.ticket = saved[index]
        messages.append(m)
    TicketMessage.objects.bulk_create(messages, batch_size=1000)
    surveys = []
    for index, s in f.surveys:
        s.ticket = saved[index]
        surveys.append(s)
    Survey.objects.bulk_create(surveys, batch_size=500)
    _links(f, saved)
    _nps(ctx, f.rng)
    yusuf = cfg["agents"][0]
    at_risk = [
        t for t in saved if t.owner_id == yusuf.pk and t.status in (Status.OPEN, Status.NEW)
    ][:3]
    Alert.objects.bulk_create(
        [Alert(user=yusuf, ticket=t, message=f"Resolution due soon: {t.number}") for t in at_risk]
    )
    search.rebuild_index()
