"""A fake Twilio REST API on loopback (port 0), speaking the documented Messages endpoint:
POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP basic auth with the
account SID and auth token; 201 with the message resource, or Twilio's error JSON."""

import base64
import itertools
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "twilio-auth-token-xyz"


@dataclass
class Seen:
    path: str
    auth: tuple[str, str] | None
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    account: str = ACCOUNT
    token: str = TOKEN
    requests: list[Seen] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)  # (status, json) or "hang", in turn
    release: threading.Event = field(default_factory=threading.Event)
    server: Any = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def sent(self) -> list[dict[str, str]]:
        """The forms of the messages accepted, one value per field."""
        return [{k: v[0] for k, v in r.form.items()} for r in self.requests]

    def answer(self, seen: Seen) -> tuple[int, dict[str, Any]] | str:
        if seen.auth != (self.account, self.token):
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if seen.path != f"/2010-04-01/Accounts/{self.account}/Messages.json":
            return 404, {"code": 20404, "message": "The requested resource was not found"}
        if self.script:
            return self.script.pop(0)  # type: ignore[no-any-return]
        for needed in ("To", "Body"):
            if needed not in seen.form:
                return 400, {"code": 21604, "message": f"A '{needed}' is required."}
        sid = f"SM{next(self._ids):032x}"
        body = seen.form["Body"][0]
        return 201, {
            "sid": sid,
            "account_sid": self.account,
            "to": seen.form["To"][0],
            "from": seen.form.get("From", [""])[0],
            "body": body,
            "status": "queued",
            "num_segments": str(1 + len(body) // 160),
        }


def start() -> FakeTwilio:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            auth = None
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
                auth = (user, password)
            seen = Seen(self.path, auth, urllib.parse.parse_qs(raw, keep_blank_values=True))
            fake.requests.append(seen)
            answer = fake.answer(seen)
            if answer == "hang":
                fake.release.wait(10)  # until the test ends; the client has timed out by then
                return
            status, data = answer  # type: ignore[misc]
            payload = json.dumps(data).encode()
            self.send_response(status)
            if "_location" in data:
                self.send_header("Location", data.pop("_location"))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.server.daemon_threads = True
    threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True).start()
    return fake


def stop(fake: FakeTwilio) -> None:
    fake.release.set()
    fake.server.shutdown()
    fake.server.server_close()
