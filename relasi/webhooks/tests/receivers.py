"""Real HTTP receivers on loopback for the delivery tests and the bench."""

import json
import random
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from relasi.webhooks import signing


class Receiver:
    """A thread-served receiver that verifies every signature and answers 500 to a seeded
    `fail_rate` share of requests. `accepted`: (event id, record, body) of 2xx answers."""

    def __init__(self, secret: str, fail_rate: float = 0.0, seed: int = 7) -> None:
        self.secret, self.fail_rate = secret, fail_rate
        self.random = random.Random(seed)
        self.accepted: list[tuple[str, str, dict]] = []
        self.received = 0
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received += 1
                    try:
                        signing.verify(receiver.secret, dict(self.headers.items()), body)
                    except signing.InvalidSignature:
                        receiver.bad_signatures += 1
                        self.send_response(401)
                        self.end_headers()
                        return
                    fail = receiver.random.random() < receiver.fail_rate
                    if not fail:
                        data = json.loads(body)
                        key = f"{data['record']['type']}:{data['record']['id']}"
                        receiver.accepted.append((self.headers["webhook-id"], key, data))
                self.send_response(500 if fail else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


CHILD = r"""
import sys, os
from http.server import BaseHTTPRequestHandler, HTTPServer
port, log, die_after = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
count = [0]
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        count[0] += 1
        with open(log, "ab") as f:
            f.write(self.headers["webhook-id"].encode() + b" " + body + b"\n")
        if die_after and count[0] >= die_after:
            os._exit(9)  # killed mid-request: the event arrived, its answer never leaves
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
server = HTTPServer(("127.0.0.1", port), H)
print("ready", flush=True)
server.serve_forever()
"""


def start_child(port: int, log: Path, die_after: int = 0) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(port), str(log), str(die_after)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_gone(proc: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        proc.wait(0.1)
