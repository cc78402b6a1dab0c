"""WhatsApp webhook ingestion, end to end: signed Cloud API calls posted to gunicorn over
loopback by concurrent senders, kept as events, stored as messages by `db_worker`.

    .venv/bin/python bench/bench_whatsapp.py                      # 3,000 messages, PostgreSQL
    .venv/bin/python bench/bench_whatsapp.py --backend sqlite --messages 500

Baseline, in the same run: the same calls posted to a WSGI app under the same gunicorn that
answers 200 and does nothing (bench/wsgi_null.py) — the HTTP floor on this machine.
Reported: acknowledged/s (every call answered 200: what Meta sees), stored/s end to end (the
last message in the inbox), and the ratio of Relasi's acknowledgement time to the floor.
One message per call (what Meta sends), 2 gunicorn processes, 1 worker, 8 senders; 1,000
customers, 70 % of the messages from them, the rest from 300 strangers who become contacts.
Target (issue #13): >= 500 messages/s end to end on PostgreSQL.

Measured 2026-12-05 on the shared 2-core machine (3 other agents building and testing):
see docs/conversations.md, "Throughput".
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret"
PNID = "100200300400"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def bodies(n: int, phones: list[str]) -> list[tuple[bytes, str]]:
    import hashlib
    import hmac
    import random

    rng = random.Random(5)
    out = []
    for i in range(n):
        frm = rng.choice(phones) if phones and rng.random() < 0.7 else f"62813{i % 300:07d}"
        body = json.dumps(
            {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
                "field": "messages", "value": {
                    "messaging_product": "whatsapp", "metadata": {"phone_number_id": PNID},
                    "contacts": [{"profile": {"name": "Pelanggan"}, "wa_id": frm}],
                    "messages": [{"from": frm, "id": f"wamid.B{i}", "type": "text",
                                  "timestamp": str(int(time.time())),
                                  "text": {"body": f"Halo kak, pesanan {i} sudah dikirim?"}}]}}]}]}
        ).encode()  # fmt: skip
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        out.append((body, sig))
    return out


def post_all(url: str, calls: list[tuple[bytes, str]], senders: int) -> float:
    def one(call: tuple[bytes, str]) -> None:
        body, sig = call
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sig}
        with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=60) as r:
            if r.status != 200:
                raise RuntimeError(f"answered {r.status}")

    t = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(one, calls))
    return time.perf_counter() - t


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", app, "-w", "2", "-b", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    if not _wait(up, 60):
        raise RuntimeError("gunicorn did not start")
    return proc


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    os.environ.update(RELASI_TASKS_IMMEDIATE="0", SECURE_HTTPS="0", EMAIL_URL="consolemail://")
    os.environ.pop("RELASI_TESTING", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.bench_imap_sync import load_customers
    from relasi.conversations.models import InboundEvent, Inbox, Message
    from relasi.customers.models import PhoneNumber

    call_command("migrate", verbosity=0)
    load_customers(args.customers)
    phones = [p.lstrip("+") for p in PhoneNumber.objects.values_list("number", flat=True)]
    box = Inbox.objects.create(
        name="WA", kind="whatsapp", address="+6281100000001",
        config={"phone_number_id": PNID, "graph_url": "http://127.0.0.1:9/"},
    )  # fmt: skip
    box.set_secrets({"app_secret": SECRET, "access_token": "unused"})
    box.save()
    calls = bodies(args.messages, phones)
    connection.close()
    env = dict(os.environ)

    port = _port()
    null = gunicorn("bench.wsgi_null:application", port, env)
    try:
        post_all(f"http://127.0.0.1:{port}/", calls[:50], args.senders)  # warm up
        floor_s = post_all(f"http://127.0.0.1:{port}/", calls, args.senders)
    finally:
        null.terminate()
        null.wait()

    port = _port()
    web = gunicorn("relasi.wsgi:application", port, env)
    worker_cmd = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.05"]
    worker_cmd += ["--no-reload", "--no-startup-delay"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    worker = None if args.separate else subprocess.Popen(worker_cmd, env=env, **quiet)
    try:
        url = f"http://127.0.0.1:{port}/conversations/hooks/whatsapp/{box.widget_key}/"
        t = time.perf_counter()
        ack_s = post_all(url, calls, args.senders)
        drain_t = time.perf_counter()
        if worker is None:  # --separate: the worker starts once every call is answered
            worker = subprocess.Popen(worker_cmd, env=env, **quiet)

        def stored() -> bool:
            done = Message.objects.filter(inbox=box).count() >= args.messages
            connection.close()
            return done

        if not _wait(stored, 3600):
            raise RuntimeError("not every message was stored")
        end_s = time.perf_counter() - t
        drain_s = time.perf_counter() - drain_t
    finally:
        for proc in (worker, web):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)
    ids = list(Message.objects.filter(inbox=box).values_list("external_id", flat=True))
    result = {
        "backend": connection.vendor,
        "messages": args.messages,
        "stored": len(ids),
        "distinct": len(set(ids)),
        "events_left": InboundEvent.objects.count(),
        "floor_per_s": round(args.messages / floor_s),
        "ack_per_s": round(args.messages / ack_s),
        "stored_per_s": round(args.messages / end_s),
        "ack_ratio": round(ack_s / floor_s, 2),
        "end_to_end_s": round(end_s, 2),
        "separate": args.separate,
        "drain_per_s": round(args.messages / drain_s) if args.separate else None,
    }
    print("RESULT " + json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--separate", action="store_true", help="acknowledge everything first, then drain"
    )
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from bench.child import run_child

    r = run_child(
        __file__, args.backend,
        ["--messages", str(args.messages), "--customers", str(args.customers),
         "--senders", str(args.senders), *(["--separate"] if args.separate else [])],
    )  # fmt: skip
    print(
        f"{r['backend']}: {r['messages']:,} WhatsApp messages, {args.senders} senders\n"
        f"  HTTP floor (null WSGI app)  {r['floor_per_s']:>6,}/s\n"
        f"  Relasi acknowledged         {r['ack_per_s']:>6,}/s  ({r['ack_ratio']}x the floor)\n"
        f"  Relasi stored, end to end   {r['stored_per_s']:>6,}/s  ({r['end_to_end_s']} s)\n"
        f"  stored {r['stored']:,}, distinct {r['distinct']:,}, events left {r['events_left']}"
    )
    if r["separate"]:
        print(f"  (worker started after the last call: it stored {r['drain_per_s']:,}/s)")


if __name__ == "__main__":
    main()
