"""IMAP initial sync: a mailbox of N messages on a loopback Dovecot, read into conversations.

    .venv/bin/python bench/bench_imap_sync.py              # 10,000 messages, SQLite
    .venv/bin/python bench/bench_imap_sync.py --messages 2000

Baseline: plain imaplib on the same server in the same run — log in, EXAMINE, UID SEARCH, then
UID FETCH BODY.PEEK[] in batches of 200, keeping nothing (the least any IMAP client can do).
A middle line, fetch+parse, adds only the MIME reading, to show where the time goes.
Relasi: `imap_sync.sync_inbox` from an empty watermark — the same fetches plus the sizes, MIME
parsing, matching the sender (1,000 known customers; a fifth of the mail from strangers, who
become contacts), threading (a third are replies) and storing messages, attachments and the
watermark per batch. The baseline runs before and after Relasi (the mean is the baseline), after
a first EXAMINE that lets Dovecot index the maildir, so neither side pays for that.
Needs Dovecot (apt-get install -y dovecot-imapd). Target: ratio <= 2x.

Measured 2026-12-04, SQLite, on the shared 2-core machine (load average 7-8 from other work):
10,000 messages — plain 15,284/s, fetch+parse 317/s, Relasi 47/s (213.6 s), ratio 326x: the
target is far off. About 85% of Relasi's time is `actions.receive` (matching the sender, the
SLA calendar, new contacts for strangers, the ORM writes), about 15% MIME parsing with
`policy.default`; the IMAP traffic itself is under 1%.
"""

import argparse
import imaplib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def messages(n: int, known: list[str], seed: int = 7) -> list[bytes]:
    """n messages: 80% from known addresses, 20% from 200 strangers; a third reply to an
    earlier message of the same sender; half with an HTML part, 5% with a 20 KB PDF."""
    import datetime as dt

    rng = random.Random(seed)
    strangers = [f"orang{i}@baru.test" for i in range(200)]
    last_by_sender: dict[str, str] = {}
    start = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    pdf = bytes(rng.getrandbits(8) for _ in range(20_000))
    out = []
    for i in range(n):
        sender = rng.choice(known) if known and rng.random() < 0.8 else rng.choice(strangers)
        m = EmailMessage()
        m["From"] = f"Pelanggan {i % 97} <{sender}>"
        m["To"] = "halo@tokoxyz.test"
        m["Date"] = format_datetime(start + dt.timedelta(minutes=i))
        m["Message-ID"] = f"<bench{i}.{seed}@contoh.test>"
        parent = last_by_sender.get(sender)
        if parent and rng.random() < 0.33:
            m["Subject"] = "Re: Pertanyaan pesanan"
            m["In-Reply-To"] = parent
            m["References"] = parent
        else:
            m["Subject"] = f"Pertanyaan pesanan #{i}"
        text = f"Halo kak, pesanan #{i} sudah dikirim? Terima kasih.\n" * rng.randint(1, 6)
        m.set_content(text)
        if rng.random() < 0.5:
            m.add_alternative(f"<p>{text.replace(chr(10), '<br>')}</p>", subtype="html")
        if rng.random() < 0.05:
            m.add_attachment(pdf, maintype="application", subtype="pdf", filename="bukti.pdf")
        last_by_sender[sender] = m["Message-ID"]
        out.append(bytes(m))
    return out


def load_customers(n: int) -> list[str]:
    """n customers with one e-mail address each (raw inserts, bench/bulkload.py)."""
    from django.db import connection

    from bench import bulkload
    from relasi.customers.models import Customer

    start = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    rows = list(bulkload._rows(n, start))
    bulkload._flush(rows)
    if connection.vendor == "postgresql":  # raw inserts with ids: move the sequence past them
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), "
                "(SELECT MAX(id) FROM customers_customer))"
            )
    return [r[1]["email"] for r in rows]


def plain_fetch(server, user: str, batch: int = 200) -> int:
    """The baseline: every message's bytes with nothing done to them."""
    conn = imaplib.IMAP4(server.host, server.port, timeout=60)
    conn.login(user, server.passwords[user])
    conn.select("INBOX", readonly=True)
    uids = conn.uid("SEARCH", "UID 1:*")[1][0].split()
    got = 0
    for i in range(0, len(uids), batch):
        chunk = b",".join(uids[i : i + batch]).decode()
        data = conn.uid("FETCH", chunk, "(UID BODY.PEEK[])")[1]
        got += sum(1 for item in data if isinstance(item, tuple))
    conn.logout()
    return got


def fetch_and_parse(server, user: str, batch: int = 200) -> int:
    """The middle step, to show where the time goes: the baseline's fetches plus MIME parsing
    (conversations.mime), nothing stored."""
    from relasi.conversations import mime

    conn = imaplib.IMAP4(server.host, server.port, timeout=60)
    conn.login(user, server.passwords[user])
    conn.select("INBOX", readonly=True)
    uids = conn.uid("SEARCH", "UID 1:*")[1][0].split()
    got = 0
    for i in range(0, len(uids), batch):
        chunk = b",".join(uids[i : i + batch]).decode()
        for item in conn.uid("FETCH", chunk, "(UID BODY.PEEK[])")[1]:
            if isinstance(item, tuple):
                got += bool(mime.parse(item[1]).external_id)
    conn.logout()
    return got


def measure(server, n: int, people: int = 1000) -> dict:
    """Fill a fresh mailbox with n messages, then time the baseline and Relasi's sync."""
    from relasi.conversations import imap_sync
    from relasi.conversations.models import Inbox, Message

    known = load_customers(people)
    user, password = server.new_user()
    server.deliver_maildir(user, messages(n, known))
    with server.client(user) as conn:  # Dovecot indexes the new maildir now, for both sides
        conn.select("INBOX", readonly=True)
    box = Inbox.objects.create(
        name="bench", kind="email", address="halo@tokoxyz.test",
        config={"imap_host": server.host, "imap_port": server.port, "imap_user": user,
                "imap_ssl": "none"},
    )  # fmt: skip
    box.set_secrets({"imap_password": password})
    box.save()

    t = time.perf_counter()
    plain_n = plain_fetch(server, user)
    plain_1 = time.perf_counter() - t
    t = time.perf_counter()
    parse_n = fetch_and_parse(server, user)
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    result = imap_sync.sync_inbox(box)
    relasi_s = time.perf_counter() - t
    t = time.perf_counter()
    plain_fetch(server, user)
    plain_2 = time.perf_counter() - t
    if result.error or plain_n != n or parse_n != n:
        raise RuntimeError(f"sync failed: {result.error or (plain_n, parse_n)}")
    plain_s = (plain_1 + plain_2) / 2
    return {
        "messages": n,
        "stored": Message.objects.filter(inbox=box).count(),
        "conversations": box.conversations.count(),
        "plain_s": round(plain_s, 2),
        "parse_s": round(parse_s, 2),
        "parse_per_s": round(n / parse_s),
        "relasi_s": round(relasi_s, 2),
        "plain_per_s": round(n / plain_s),
        "relasi_per_s": round(n / relasi_s),
        "ratio": round(relasi_s / plain_s, 2),
    }


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from relasi.conversations.tests.imap_server import DovecotServer

    call_command("migrate", verbosity=0)
    server = DovecotServer().start()
    try:
        result = {"backend": connection.vendor, **measure(server, args.messages)}
    finally:
        server.stop()
    print("RESULT " + json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    import shutil

    tmp = tempfile.mkdtemp(prefix="relasi-bench-")
    env = dict(os.environ, RELASI_VAR_DIR=tmp, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
    env["MEDIA_ROOT"] = f"{tmp}/media"
    try:
        cmd = [sys.executable, __file__, "--child", "--messages", str(args.messages)]
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(proc.stdout[-3000:], proc.stderr[-5000:])
            raise SystemExit("benchmark failed")
        r = json.loads(lines[-1][7:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{r['backend']:<8} {r['messages']:>7,} messages ({r['conversations']:,} conversations)  "
        f"plain imaplib {r['plain_per_s']:>7,}/s ({r['plain_s']:.1f} s)  "
        f"fetch+parse {r['parse_per_s']:>6,}/s ({r['parse_s']:.1f} s)  "
        f"relasi {r['relasi_per_s']:>6,}/s ({r['relasi_s']:.1f} s)  "
        f"ratio {r['ratio']:.2f}x (target <= 2x)"
    )


if __name__ == "__main__":
    main()
