"""A tiny SMTP server on a free loopback port (EHLO, AUTH PLAIN, MAIL, RCPT, DATA): enough for
Django's SMTP backend to hand a message over, which the tests then read back."""

import base64
import socketserver
import threading
from dataclasses import dataclass


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes
    user: str = ""


class _Handler(socketserver.StreamRequestHandler):
    server: "SmtpServer"

    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.say("220 relasi-test ESMTP")
        mail_from, rcpts, user = "", [], ""
        while line := self.rfile.readline():
            cmd = line.decode(errors="replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
            elif verb == "HELO" or verb in ("RSET", "NOOP"):
                self.say("250 OK")
            elif verb == "AUTH":
                parts = base64.b64decode(cmd.split()[-1]).split(b"\0")
                user, password = parts[1].decode(), parts[2].decode()
                ok = self.server.accounts.get(user) == password
                self.say("235 OK" if ok else "535 authentication failed")
            elif verb == "MAIL":
                mail_from, rcpts = cmd.split(":", 1)[1].strip(" <>"), []
                self.say("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip(" <>"))
                self.say("250 OK")
            elif verb == "DATA":
                self.say("354 go ahead")
                self.server.received.append(Received(mail_from, rcpts, self._data(), user))
                self.say("250 OK queued")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.accounts: dict[str, str] = {}
        self.received: list[Received] = []
        self.host, self.port = self.server_address[0], self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> "SmtpServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
