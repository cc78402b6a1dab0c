"""The inbox list at scale (issue #13): 1,000,000 messages in 100,000 conversations.

    .venv/bin/python bench/bench_inbox.py                         # SQLite, 100,000 conversations
    .venv/bin/python bench/bench_inbox.py --conversations 10000 --backends sqlite,postgresql

Relasi: the inbox page (`/conversations/`, the full view: filters, visibility, keyset page of
30, SLA state, template) rendered in-process for an administrator and for a team-scoped agent,
for the default view (all active), "waiting on us", one channel, "mine", and a page 1,000 rows
deep (by cursor). Baseline: the raw indexed query of the same first page
(`SELECT … WHERE status IN (…) ORDER BY last_message_at DESC, id DESC LIMIT 31`) through a DB
cursor. Both alternate in rounds. Target: p95 of the page < 150 ms; the ratio page/raw shows
what the view costs above the query.
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MESSAGES_PER = 10


def load(conversations: int) -> dict[str, int]:
    """`conversations` threads of MESSAGES_PER messages each over three inboxes; a third
    assigned to the agent's team, a fifth waiting on us, most closed."""
    from django.db import transaction
    from django.utils import timezone

    from bench.bulkload import _insert
    from relasi.accounts.models import Role, Team, User
    from relasi.conversations.models import Conversation, Inbox, Message

    team = Team.objects.get_or_create(name="Bench team")[0]
    for username, role in (("bench.agent", "service"), ("bench.admin", "administrator")):
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(
                username=username, email=f"{username}@bench.test", password="x",
                role=Role.objects.get(slug=role), team=team,
            )  # fmt: skip
    agent = User.objects.get(username="bench.agent")
    boxes = [
        Inbox.objects.create(name=f"bench {k}", kind=k, address=f"{k}@bench.test")
        for k in ("email", "whatsapp", "webchat")
    ]
    rng = random.Random(13)
    now = timezone.now()
    start_conv = (
        Conversation.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ) + 1
    start_msg = (Message.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    convs: list[dict] = []
    msgs: list[dict] = []
    msg_id = start_msg

    def flush() -> None:
        with transaction.atomic():
            if convs:
                _insert(Conversation, convs)
            if msgs:
                _insert(Message, msgs)
        convs.clear()
        msgs.clear()

    for i in range(conversations):
        pk = start_conv + i
        box = boxes[i % 3]
        last = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 365))
        status = "open" if i % 10 < 2 else ("pending" if i % 10 == 2 else "closed")
        mine = i % 3 == 0
        convs.append(
            {
                "id": pk,
                "inbox_id": box.pk,
                "channel": box.kind,
                "contact_address": f"+62812{i:08d}" if box.kind != "email" else f"c{i}@x.test",
                "contact_name": f"Pelanggan {i}",
                "subject": "",
                "status": status,
                "priority": "normal",
                "last_message_at": last,
                "waiting_since": last if status == "open" and i % 2 == 0 else None,
                "owner_id": agent.pk if mine else None,
                "team_id": team.pk if mine else None,
                "preview": "Halo, pesanan saya sudah dikirim?",
                "created_at": last - dt.timedelta(hours=1),
                "updated_at": last,
                "version": 1,
                "custom": "{}",
                "first_response_due": last + dt.timedelta(hours=1),
            }
        )
        for k in range(MESSAGES_PER):
            msgs.append(
                {
                    "id": msg_id,
                    "conversation_id": pk,
                    "inbox_id": box.pk,
                    "direction": "in" if k % 2 == 0 else "out",
                    "kind": "normal",
                    "body": "Halo, pesanan saya sudah dikirim?" if k % 2 == 0 else "Sudah, kak.",
                    "external_id": f"b{msg_id}",
                    "status": "received" if k % 2 == 0 else "read",
                    "created_at": last - dt.timedelta(minutes=MESSAGES_PER - k),
                    "meta": "{}",
                }
            )
            msg_id += 1
        if len(convs) >= 5000:
            flush()
    flush()
    from django.db import connection

    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return {"conversations": Conversation.objects.count(), "messages": Message.objects.count()}


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def measure(seconds: float, rounds: int = 5) -> dict:
    from django.db import connection
    from django.test import Client

    from relasi.accounts.models import User
    from relasi.conversations.models import Conversation
    from relasi.core.pagination import paginate

    admin = User.objects.get(username="bench.admin")
    agent = User.objects.get(username="bench.agent")
    deep = paginate(Conversation.objects.active(), order="-last_message_at", limit=1000)  # type: ignore[attr-defined]
    cursor = deep.next_cursor or ""
    clients = {}
    for name, user in (("admin", admin), ("agent", agent)):
        c = Client()
        c.force_login(user)
        clients[name] = c
    cases = {
        "page: all active (admin)": ("admin", {}),
        "page: all active (team agent)": ("agent", {}),
        "page: waiting on us": ("admin", {"waiting": "true"}),
        "page: WhatsApp only": ("admin", {"channel": "whatsapp"}),
        "page: mine (agent)": ("agent", {"assignee": "me"}),
        "page: 1,000 rows deep": ("admin", {"after": cursor}),
    }
    sql = (
        "SELECT id, contact_name, preview, last_message_at FROM conversations_conversation "
        "WHERE status IN ('open', 'pending', 'snoozed') "
        "ORDER BY last_message_at DESC, id DESC LIMIT 31"
    )

    def raw() -> None:
        with connection.cursor() as cur:
            cur.execute(sql)
            cur.fetchall()

    def page(who: str, params: dict) -> None:
        r = clients[who].get("/conversations/", params)
        assert r.status_code == 200, r.status_code

    lat: dict[str, list[float]] = {"raw query (baseline)": [], **{k: [] for k in cases}}
    for _ in range(rounds):
        for name in lat:
            end = time.perf_counter() + seconds / rounds / len(lat)
            while True:
                t = time.perf_counter()
                if name in cases:
                    page(*cases[name])
                else:
                    raw()
                lat[name].append(time.perf_counter() - t)
                if time.perf_counter() > end:
                    break
    base = statistics.median(lat["raw query (baseline)"])
    return {
        name: {
            "median_ms": round(statistics.median(v) * 1000, 2),
            "p95_ms": round(_p95(v) * 1000, 2),
            "ratio": round(statistics.median(v) / base, 1),
        }
        for name, v in lat.items()
    }


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("setup", verbosity=0)  # migrate, cache table, static files (DEBUG is off)
    t0 = time.perf_counter()
    info = load(args.conversations)
    result = {"backend": connection.vendor, "load_s": round(time.perf_counter() - t0, 1), **info}
    result["cases"] = measure(args.seconds)
    print("RESULT " + json.dumps(result), flush=True)


def run(backend: str, conversations: int, seconds: float) -> dict:
    from bench.child import run_child

    extra = {"DEBUG": "0", "SECURE_HTTPS": "0", "LOG_LEVEL": "WARNING",
             "ALLOWED_HOSTS": "testserver,127.0.0.1"}  # fmt: skip
    args = ["--conversations", str(conversations), "--seconds", str(seconds)]
    return run_child(__file__, backend, args, extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    for backend in args.backends.split(","):
        r = run(backend, args.conversations, args.seconds)
        print(
            f"\n{r['backend']}: {r['conversations']:,} conversations, {r['messages']:,} messages"
            f" (loaded in {r['load_s']} s)"
        )
        print(f"{'case':34} {'median ms':>10} {'p95 ms':>8} {'× raw':>6}")
        for name, c in r["cases"].items():
            print(f"{name:34} {c['median_ms']:>10} {c['p95_ms']:>8} {c['ratio']:>6}")


if __name__ == "__main__":
    main()
