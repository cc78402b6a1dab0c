"""A private Dovecot IMAP server on a free loopback port, for the tests and the benchmark.

Debian's `dovecot-imapd` package gives the binary; the server runs with a generated
configuration in a temporary directory (maildir mailboxes there, a passwd-file with plain
passwords, no TLS, listening on 127.0.0.1 only) as an unprivileged user: the current user, or
Debian's `dovecot` user when the tests run as root (Dovecot refuses to serve mail as root).
`start()` waits for the greeting by polling with a deadline — no fixed sleeps."""

import imaplib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = relasi-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
mail_fsync = never
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class DovecotMissing(Exception):
    pass


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DovecotServer:
    def __init__(self) -> None:
        binary = dovecot_binary()
        if binary is None:
            raise DovecotMissing(
                "Dovecot is not installed (apt-get install -y dovecot-imapd): "
                "the IMAP tests need a real server on loopback."
            )
        self.binary = binary
        self.host = "127.0.0.1"
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="relasi-dovecot-"))
        self.proc: subprocess.Popen[bytes] | None = None
        self._users = itertools.count(1)
        self.passwords: dict[str, str] = {}
        # Dovecot will not serve mail as root: under root, run as Debian's `dovecot` user.
        root = os.geteuid() == 0
        self.account = pwd.getpwnam("dovecot") if root else pwd.getpwuid(os.geteuid())

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, deadline_s: float = 20.0) -> "DovecotServer":
        for _attempt in range(3):
            self.port = _free_port()
            self._write_config()
            self._spawn()
            if self._wait(deadline_s):
                return self
            self.stop(remove=False)
            if "Address already in use" not in self.log():  # another process took the port
                break
        raise RuntimeError(f"Dovecot did not start:\n{self.log()[-3000:]}")

    def _write_config(self) -> None:
        for sub in ("run", "state", "mail", "home", "users"):
            (self.root / sub).mkdir(exist_ok=True)
        a = self.account
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                user=a.pw_name,
                uid=a.pw_uid,
                gid=a.pw_gid,
                group=_group_name(a.pw_gid),
            )
        )
        self._own(self.root)

    def _own(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        for p in [path, *path.rglob("*")]:
            os.chown(p, self.account.pw_uid, self.account.pw_gid)

    def _spawn(self) -> None:
        kwargs: dict = {}
        if os.geteuid() == 0:
            kwargs = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        self.proc = subprocess.Popen(
            [self.binary, "-c", str(self.root / "dovecot.conf"), "-F"],
            stdout=open(self.root / "stdout.log", "ab"),  # noqa: SIM115 (the child owns it)
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )

    def _wait(self, deadline_s: float) -> bool:
        """Poll until the server greets (or it died, or the deadline passed)."""
        deadline = time.monotonic() + deadline_s
        delay = 0.01
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return True
            except OSError:
                pass
            time.sleep(delay)  # a poll interval, not a wait for something to happen
            delay = min(delay * 2, 0.2)
        return False

    def stop(self, remove: bool = True) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        out = []
        for name in ("dovecot.log", "stdout.log"):
            path = self.root / name
            if path.exists():
                out.append(path.read_text(errors="replace"))
        return "\n".join(out)

    # --- mailboxes ------------------------------------------------------------------------------
    def new_user(self, password: str = "") -> tuple[str, str]:
        """A fresh mailbox (its own user), so tests never see each other's mail."""
        user = f"user{next(self._users)}-{uuid.uuid4().hex[:6]}"
        password = password or uuid.uuid4().hex
        # One passwd-file per user (the path has %u): a new file is read at once, where an
        # appended line may wait for Dovecot to notice the file changed.
        path = self.root / "users" / user
        path.write_text(f"{user}:{{PLAIN}}{password}\n")
        self._own(path)
        self.passwords[user] = password
        return user, password

    def client(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=30)
        conn.login(user, self.passwords[user])
        return conn

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        with self.client(user) as conn:
            self._append(conn, raw, folder)

    def append_many(self, user: str, raws: list[bytes], folder: str = "INBOX") -> None:
        with self.client(user) as conn:
            for raw in raws:
                self._append(conn, raw, folder)

    @staticmethod
    def _append(conn: imaplib.IMAP4, raw: bytes, folder: str) -> None:
        if folder != "INBOX":
            conn.create(folder)  # NO when it exists: fine
        typ, data = conn.append(folder, None, None, raw)
        if typ != "OK":
            raise RuntimeError(f"APPEND failed: {data!r}")

    def deliver_maildir(self, user: str, raws: list[bytes]) -> None:
        """Drop messages straight into the INBOX maildir (fast, for the benchmark); Dovecot
        assigns their UIDs when the folder is next opened."""
        box = self.root / "mail" / user
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
        stamp = int(time.time())
        for i, raw in enumerate(raws):
            (box / "new" / f"{stamp}.R{uuid.uuid4().hex}{i}.relasi").write_bytes(raw)
        self._own(self.root / "mail" / user)

    def recreate_folder(self, user: str, folder: str) -> None:
        """Delete and create a folder: it comes back empty with a new UIDVALIDITY."""
        with self.client(user) as conn:
            conn.delete(folder)
            conn.create(folder)

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        with self.client(user) as conn:
            conn.select(folder, readonly=True)
            return int(conn.response("UIDVALIDITY")[1][0])


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
