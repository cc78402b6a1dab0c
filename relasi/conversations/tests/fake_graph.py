"""A fake WhatsApp Cloud API (Graph) server on loopback for the adapter and webhook tests.

It speaks the documented endpoints Relasi uses and records every request:

- POST /{version}/{phone-number-id}/messages  → {"messaging_product", "contacts", "messages": [{"id"}]}
- POST /{version}/{phone-number-id}/media     (multipart: messaging_product, type, file) → {"id"}
- GET  /{version}/{media-id}                  → {"messaging_product", "url", "mime_type", "sha256",
                                                 "file_size", "id"}
- GET  /blob/{media-id}                       → the file's bytes (the token is needed here too)

Errors come in Graph's shape: {"error": {"message", "type", "code", "error_data", "fbtrace_id"}}.
"""

import email.parser
import email.policy
import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION = "v21.0"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def graph_error(code: int, message: str, details: str = "") -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": "AbCdEfGh123",
        }
    }


@dataclass
class FakeGraph:
    token: str = "EAAG-test-token"
    requests: list[Recorded] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    fail: tuple[int, dict[str, Any]] | None = None  # the next sends' answer
    hold: threading.Event | None = None  # set: answers wait for it (a slow Graph)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def root(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.root}/{VERSION}"

    @property
    def sent(self) -> list[dict[str, Any]]:
        """The JSON bodies of every message sent, oldest first."""
        return [
            r.json() for r in self.requests if r.method == "POST" and r.path.endswith("/messages")
        ]

    def start(self) -> "FakeGraph":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- the endpoints -----------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        self.requests.append(Recorded(method, h.path, dict(h.headers.items()), body))
        if self.hold is not None:
            self.hold.wait(10)
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            return _answer(h, 401, graph_error(190, "Invalid OAuth access token."))
        parts = h.path.split("?")[0].strip("/").split("/")
        if method == "GET" and parts[0] == "blob" and len(parts) == 2:
            content, mime = self.media.get(parts[1], (b"", ""))
            if not mime:
                return _answer(h, 404, graph_error(100, "Not found"))
            return _raw(h, 200, content, mime)
        if parts[0] != VERSION:
            return _answer(h, 404, graph_error(100, "Unknown path"))
        if method == "POST" and len(parts) == 3 and parts[2] == "messages":
            if self.fail is not None:
                return _answer(h, *self.fail)
            to = json.loads(body).get("to", "")
            wamid = f"wamid.OUT{next(self._ids)}"
            return _answer(
                h,
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": wamid}],
                },
            )
        if method == "POST" and len(parts) == 3 and parts[2] == "media":
            self.uploads.append(_multipart(h.headers.get("Content-Type", ""), body))
            return _answer(h, 200, {"id": f"up-{next(self._ids)}"})
        if method == "GET" and len(parts) == 2:
            content, mime = self.media.get(parts[1], (b"", ""))
            if not mime:
                return _answer(
                    h, 400, graph_error(100, "(#100) Invalid parameter", "media id not found")
                )
            return _answer(
                h,
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.root}/blob/{parts[1]}",
                    "mime_type": mime,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": str(len(content)),
                    "id": parts[1],
                },
            )
        return _answer(h, 404, graph_error(100, "Unknown path"))


def _answer(h: BaseHTTPRequestHandler, status: int, value: dict[str, Any]) -> None:
    _raw(h, status, json.dumps(value).encode(), "application/json")


def _raw(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    out: dict[str, Any] = {}
    for part in parsed.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if part.get_filename():
            out[name] = {
                "filename": part.get_filename(),
                "content": data,
                "content_type": part.get_content_type(),
            }
        else:
            out[name] = data.decode()
    return out
