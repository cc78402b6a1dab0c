"""A WhatsApp burst through a real web server and worker, both killed with SIGKILL half-way
(run by test_whatsapp_kill.py in a subprocess, on a file-based SQLite database, or on the
PostgreSQL database named by DATABASE_URL when one is given):

    python -m relasi.conversations.tests.scenario_whatsapp_kill <dir> [messages]

gunicorn (2 processes) serves the webhook, `manage.py db_worker` drains the events. A sender
thread posts signed Cloud API batches the way Meta does: one message per call, a call that
fails (connection refused or reset, a 5xx) is sent again, and a few calls are delivered twice
anyway. When a quarter of the messages are stored, the worker AND the web server are killed
with SIGKILL; both are started again and the sender carries on. At the end every message must
be stored exactly once and no event left behind. Prints one line of key=value results."""

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SECRET = "kill-test-secret"
PNID = "109876543210"


def _wait(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def payload(i: int) -> bytes:
    frm = f"62812{(i % 50):07d}"
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": PNID},
                                "contacts": [
                                    {"profile": {"name": f"Pelanggan {i % 50}"}, "wa_id": frm}
                                ],
                                "messages": [
                                    {
                                        "from": frm,
                                        "id": f"wamid.KILL{i}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": f"Halo kak, pesanan {i}?"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


class Sender(threading.Thread):
    """Meta's side: every call is sent until it is answered 200."""

    def __init__(self, url: str, n: int) -> None:
        super().__init__(daemon=True)
        self.url, self.n = url, n
        self.calls = self.refused = 0

    def post(self, body: bytes) -> None:
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        while True:
            self.calls += 1
            req = urllib.request.Request(  # noqa: S310 (the loopback server)
                self.url, body, {"Content-Type": "application/json", "X-Hub-Signature-256": sig}
            )
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            self.refused += 1
            time.sleep(0.05)  # Meta backs off too; the server may be restarting

    def run(self) -> None:
        for i in range(self.n):
            body = payload(i)
            self.post(body)
            if i % 20 == 7:
                self.post(body)  # a redelivery Meta makes anyway


def main(work: Path, n: int) -> None:
    os.environ.pop("RELASI_TESTING", None)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'db.sqlite3'}")
    os.environ.update(
        RELASI_VAR_DIR=str(work),
        RELASI_TASKS_IMMEDIATE="0",
        RELASI_TASK_HEARTBEAT_SECONDS="0.5",
        RELASI_INBOUND_BATCH="10",
        EMAIL_URL="consolemail://",
        SECURE_HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="relasi.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from relasi.conversations.models import InboundEvent, Inbox, Message

    box = Inbox.objects.create(
        name="WA", kind="whatsapp", address="+6281100000001",
        config={"phone_number_id": PNID, "graph_url": "http://127.0.0.1:9/"},
    )  # fmt: skip
    box.set_secrets({"app_secret": SECRET, "access_token": "unused"})
    box.save()
    connection.close()

    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    env = dict(os.environ)
    web_cmd = [sys.executable, "-m", "gunicorn", "relasi.wsgi:application", "-w", "2"]
    web_cmd += ["-b", f"127.0.0.1:{port}", "--graceful-timeout", "2"]
    work_cmd = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.1"]
    work_cmd += ["--no-reload", "--no-startup-delay"]

    def start(cmd: list[str]) -> subprocess.Popen:
        return subprocess.Popen(cmd, env=env, start_new_session=True, **quiet)  # type: ignore[call-overload]

    def stored() -> int:
        count = Message.objects.filter(inbox=box).count()
        connection.close()
        return count

    web, worker = start(web_cmd), start(work_cmd)
    sender = Sender(f"http://127.0.0.1:{port}/conversations/hooks/whatsapp/{box.widget_key}/", n)
    sender.start()
    reached = _wait(lambda: stored() >= n // 4, 240)
    at_kill = stored()
    for proc in (worker, web):
        os.killpg(proc.pid, signal.SIGKILL)  # the server's workers go with their master
        proc.wait()
    web, worker = start(web_cmd), start(work_cmd)
    try:
        sender.join(timeout=600)

        def finished() -> bool:
            left = InboundEvent.objects.count()
            connection.close()
            return not sender.is_alive() and left == 0 and stored() >= n

        done = _wait(finished, 300)
    finally:
        for proc in (worker, web):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    ids = list(Message.objects.filter(inbox=box).values_list("external_id", flat=True))
    left = InboundEvent.objects.count()
    print(
        f"reached={reached} done={done} at_kill={at_kill} messages={len(ids)} "
        f"distinct={len(set(ids))} expected={n} events_left={left} calls={sender.calls} "
        f"refused={sender.refused} conversations={box.conversations.count()}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 400)
