"""Fetch an e-mail inbox's new messages over IMAP into the conversations (`actions.receive`).

Per folder the watermark is the folder's UIDVALIDITY and the last UID stored, kept in
`inbox.sync_state["imap"][folder]`. New UIDs are fetched in batches (at most `batch_size`
messages and about 32 MB), and each batch's messages are stored in the same transaction that
moves the watermark past them: a sync killed half-way resumes after the last committed batch,
and nothing is fetched twice or skipped. A new UIDVALIDITY (the server rebuilt the folder)
means the old UIDs mean nothing: the folder is read again from the start, and the messages
already stored are recognised by their Message-ID (a message without one by the hash of its
bytes), so nothing is stored twice.

Messages are only read (EXAMINE, BODY.PEEK[]): flags stay as the mailbox's other readers left
them. A message larger than `imap_max_message_mb` (default 50) is stored with its headers
only. Configuration (inbox.config): imap_host, imap_port, imap_user, imap_ssl ("ssl",
"starttls" or "none" — only to a loopback host), imap_folders (default ["INBOX"]); the password
is the sealed secret "imap_password"."""

import base64
import contextlib
import imaplib
import ipaddress
import logging
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relasi.conversations import actions, mime, sla
from relasi.conversations.choices import ChannelKind
from relasi.conversations.models import Inbox, Message

log = logging.getLogger("relasi.conversations.imap")
BATCH = 200
BATCH_BYTES = 32 * 1024 * 1024
SEARCH_WINDOW = 20_000  # UIDs per SEARCH, so the answer stays one short line
TIMEOUT = 60
_UID = re.compile(rb"\bUID (\d+)", re.I)
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)", re.I)


class ImapConfigError(Exception):
    """The inbox lacks what a sync needs (a host, a user, a password) or asks for something
    unsafe (a password in clear text to another machine)."""


@dataclass
class FolderResult:
    fetched: int = 0
    stored: int = 0
    known: int = 0
    failed: int = 0
    resynced: bool = False
    error: str = ""


@dataclass
class SyncResult:
    folders: dict[str, FolderResult] = field(default_factory=dict)
    error: str = ""

    @property
    def fetched(self) -> int:
        return sum(f.fetched for f in self.folders.values())

    @property
    def stored(self) -> int:
        return sum(f.stored for f in self.folders.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "stored": self.stored,
            "error": self.error,
            "folders": {name: vars(f) for name, f in self.folders.items()},
        }


# --- connection ---------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def connect(inbox: Inbox) -> imaplib.IMAP4:
    """A logged-in IMAP connection for the inbox's settings."""
    cfg = inbox.config or {}
    host = str(cfg.get("imap_host") or "").strip()
    user = str(cfg.get("imap_user") or inbox.address or "").strip()
    password = inbox.secret("imap_password")
    if not host or not user or not password:
        raise ImapConfigError(_("Set the IMAP host, user and password of this inbox."))
    mode = cfg.get("imap_ssl", "ssl")
    mode = {True: "ssl", False: "none", None: "ssl"}.get(mode, str(mode).lower())
    if mode not in ("ssl", "starttls", "none"):
        raise ImapConfigError(_("IMAP encryption must be ssl, starttls or none."))
    if mode == "none" and not is_loopback(host):
        raise ImapConfigError(
            _("Refusing to send the IMAP password unencrypted: use ssl or starttls.")
        )
    port = int(cfg.get("imap_port") or (993 if mode == "ssl" else 143))
    context = ssl.create_default_context()
    conn: imaplib.IMAP4
    if mode == "ssl":
        conn = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=TIMEOUT)
    else:
        conn = imaplib.IMAP4(host, port, timeout=TIMEOUT)
        if mode == "starttls":
            conn.starttls(ssl_context=context)
    try:
        conn.login(user, password)
    except Exception:
        _close(conn)
        raise
    return conn


def _close(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(Exception):  # the connection is going away anyway
        conn.logout()


def mailbox_name(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    out, run = [], ""
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            if run:
                b64 = base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=")
                out.append("&" + b64.replace("/", ",") + "-")
                run = ""
            out.append("&-" if ch == "&" else ch)
        else:
            run += ch
    if run:
        b64 = base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=")
        out.append("&" + b64.replace("/", ",") + "-")
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: list[int]) -> str:
    """1,2,3,7,8 → "1:3,7:8"."""
    parts: list[str] = []
    start = prev = None
    for uid in sorted(uids):
        if start is None:
            start = prev = uid
        elif prev is not None and uid == prev + 1:
            prev = uid
        else:
            parts.append(f"{start}:{prev}" if start != prev else str(start))
            start = prev = uid
    if start is not None:
        parts.append(f"{start}:{prev}" if start != prev else str(start))
    return ",".join(parts)


def _ok(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise imaplib.IMAP4.error(f"{what}: {typ} {detail}"[:400])
    return data


# --- sync ---------------------------------------------------------------------------------------
def sync_inbox(inbox: Inbox, *, batch_size: int = BATCH) -> SyncResult:
    """Fetch every folder's new messages. Connection and server errors are recorded on the inbox
    (`last_error`) and returned; anything else is recorded and raised."""
    result = SyncResult()
    folders = (inbox.config or {}).get("imap_folders") or ["INBOX"]
    inbox.refresh_from_db(fields=["sync_state"])  # the watermark another run may have moved
    try:
        conn = connect(inbox)
    except (ImapConfigError, imaplib.IMAP4.error, OSError) as exc:
        result.error = _describe(exc)
        _finish(inbox, result)
        return result
    try:
        for folder in folders:
            try:
                result.folders[folder] = sync_folder(inbox, conn, folder, batch_size=batch_size)
            except (imaplib.IMAP4.error, OSError) as exc:
                if isinstance(exc, imaplib.IMAP4.abort | OSError):
                    raise  # the connection is gone: the next folders cannot be read either
                result.folders[folder] = FolderResult(error=_describe(exc))
                log.warning(
                    "imap folder failed",
                    extra={"event": "imap.folder_failed", "inbox": inbox.pk, "folder": folder},
                )
    except (imaplib.IMAP4.error, OSError) as exc:
        result.error = _describe(exc)
    except Exception as exc:
        result.error = _describe(exc)
        _finish(inbox, result)
        raise
    finally:
        _close(conn)
    if not result.error:
        errors = [f"{name}: {f.error}" for name, f in result.folders.items() if f.error]
        result.error = "; ".join(errors)
    _finish(inbox, result)
    return result


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, ImapConfigError) else f"{type(exc).__name__}: {text}"


def _finish(inbox: Inbox, result: SyncResult) -> None:
    now = timezone.now()
    Inbox.objects.filter(pk=inbox.pk).update(last_sync_at=now, last_error=result.error[:500])
    inbox.last_sync_at, inbox.last_error = now, result.error[:500]
    log.info(
        "imap sync",
        extra={
            "event": "imap.failed" if result.error else "imap.synced",
            "inbox": inbox.pk,
            "fetched": result.fetched,
            "stored": result.stored,
            "error": result.error[:500],
        },
    )


def _select(conn: imaplib.IMAP4, folder: str) -> tuple[int, int | None]:
    _ok(*conn.select(mailbox_name(folder), readonly=True), f"EXAMINE {folder}")
    uidvalidity = int(conn.response("UIDVALIDITY")[1][0] or 0)
    uidnext = conn.response("UIDNEXT")[1][0]
    return uidvalidity, (int(uidnext) if uidnext else None)


def folder_state(inbox: Inbox, folder: str) -> dict[str, int]:
    return dict(((inbox.sync_state or {}).get("imap") or {}).get(folder) or {})


def sync_folder(
    inbox: Inbox, conn: imaplib.IMAP4, folder: str, *, batch_size: int = BATCH
) -> FolderResult:
    result = FolderResult()
    uidvalidity, uidnext = _select(conn, folder)
    state = folder_state(inbox, folder)
    last_uid = int(state.get("last_uid") or 0)
    if state and state.get("uidvalidity") != uidvalidity:
        log.warning(
            "imap uidvalidity changed: folder read again",
            extra={"event": "imap.uidvalidity", "inbox": inbox.pk, "folder": folder},
        )
        result.resynced, last_uid = True, 0
        _save_watermark(inbox, folder, uidvalidity, 0, reset=True)
    for uids in _new_uids(conn, last_uid, uidnext, batch_size):
        for batch in _by_size(conn, uids, _max_message_bytes(inbox)):
            fetched = fetch_batch(conn, batch)
            _store_batch(inbox, folder, uidvalidity, batch, fetched, result)
    return result


def _max_message_bytes(inbox: Inbox) -> int:
    mb = (inbox.config or {}).get("imap_max_message_mb") or 50
    return int(float(mb) * 1024 * 1024)


def _new_uids(
    conn: imaplib.IMAP4, last_uid: int, uidnext: int | None, batch_size: int
) -> Iterator[list[int]]:
    """The UIDs above the watermark, ascending, `batch_size` at a time (searched in windows
    so a mailbox of a million messages is not one enormous line)."""
    start = last_uid + 1
    while True:
        end = "*" if uidnext is None else str(min(uidnext - 1, start + SEARCH_WINDOW - 1))
        if uidnext is not None and start > uidnext - 1:
            return
        data = _ok(*conn.uid("SEARCH", f"UID {start}:{end}"), "UID SEARCH")
        found = sorted({int(x) for x in (data[0] or b"").split() if int(x) > last_uid})
        for i in range(0, len(found), batch_size):
            yield found[i : i + batch_size]
        if uidnext is None or end == "*":
            return
        start = int(end) + 1


def _by_size(conn: imaplib.IMAP4, uids: list[int], max_message: int) -> Iterator[list[Any]]:
    """Split UIDs into fetches of about BATCH_BYTES; a UID over `max_message` comes as
    (uid, size) so only its headers are fetched."""
    data = _ok(*conn.uid("FETCH", uid_set(uids), "(UID RFC822.SIZE)"), "UID FETCH size")
    sizes: dict[int, int] = {}
    for answer in data:
        line = answer[0] if isinstance(answer, tuple) else answer
        found_uid, found_size = _UID.search(line or b""), _SIZE.search(line or b"")
        if found_uid and found_size:
            sizes[int(found_uid.group(1))] = int(found_size.group(1))
    group: list[Any] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid)
        if size is None:
            continue  # expunged since the search
        item: Any = (uid, size) if size > max_message else uid
        if group and total + min(size, max_message) > BATCH_BYTES:
            yield group
            group, total = [], 0
        group.append(item)
        total += min(size, max_message)
    if group:
        yield group


def _parse_fetch(data: list[Any]) -> dict[int, bytes]:
    """imaplib's FETCH answer → {uid: literal}; the UID may come before or after the literal."""
    out: dict[int, bytes] = {}
    pending: bytes | None = None
    for item in data:
        if isinstance(item, tuple):
            found = _UID.search(item[0] or b"")
            if found:
                out[int(found.group(1))] = item[1]
                pending = None
            else:
                pending = item[1]
        elif isinstance(item, bytes) and pending is not None:
            found = _UID.search(item)
            if found:
                out[int(found.group(1))] = pending
                pending = None
    return out


def fetch_batch(conn: imaplib.IMAP4, batch: list[Any]) -> dict[int, tuple[bytes, int]]:
    """{uid: (bytes, size of a message cut to its headers or 0)} for one batch."""
    whole = [x for x in batch if isinstance(x, int)]
    large: dict[int, int] = dict(x for x in batch if isinstance(x, tuple))
    out: dict[int, tuple[bytes, int]] = {}
    if whole:
        data = _ok(*conn.uid("FETCH", uid_set(whole), "(UID BODY.PEEK[])"), "UID FETCH")
        out.update({uid: (raw, 0) for uid, raw in _parse_fetch(data).items()})
    if large:
        data = _ok(*conn.uid("FETCH", uid_set(list(large)), "(UID BODY.PEEK[HEADER])"), "FETCH")
        out.update({uid: (raw, large[uid]) for uid, raw in _parse_fetch(data).items()})
    return out


def _store_batch(
    inbox: Inbox,
    folder: str,
    uidvalidity: int,
    batch: list[Any],
    fetched: dict[int, tuple[bytes, int]],
    result: FolderResult,
) -> None:
    """Store one batch and move the watermark past it, in one transaction."""
    uids = sorted(x if isinstance(x, int) else x[0] for x in batch)
    parsed: list[actions.Inbound] = []
    for uid in uids:
        if uid not in fetched:
            continue  # expunged between the search and the fetch
        raw, cut = fetched[uid]
        meta: dict[str, Any] = {"imap": {"folder": folder, "uid": uid}}
        if cut:
            meta["too_large"] = cut
        parsed.append(mime.parse(raw, meta=meta))
    result.fetched += len(parsed)
    with transaction.atomic(), sla.one_calendar():
        known = set(
            Message.objects.filter(
                inbox=inbox, external_id__in=[p.external_id[:255] for p in parsed]
            ).values_list("external_id", flat=True)
        )
        for inbound in parsed:
            if inbound.external_id[:255] in known:
                result.known += 1
                continue
            known.add(inbound.external_id[:255])
            _receive_one(inbox, inbound, result)
        if uids:
            _save_watermark(inbox, folder, uidvalidity, uids[-1])


def _receive_one(inbox: Inbox, inbound: actions.Inbound, result: FolderResult) -> None:
    try:
        with transaction.atomic():
            actions.receive(inbox, inbound)
        result.stored += 1
    except (OperationalError, InterfaceError):
        raise  # the database is in trouble: stop, the watermark stays before this batch
    except Exception as exc:  # one bad message must not stop the mailbox
        result.failed += 1
        log.exception(
            "imap message not stored",
            extra={
                "event": "imap.store_failed",
                "inbox": inbox.pk,
                "uid": inbound.meta.get("imap", {}).get("uid"),
                "error": f"{type(exc).__name__}"[:200],
            },
        )


def _save_watermark(
    inbox: Inbox, folder: str, uidvalidity: int, last_uid: int, *, reset: bool = False
) -> None:
    with transaction.atomic():
        row = Inbox.objects.select_for_update(no_key=True).only("sync_state").get(pk=inbox.pk)
        state = dict(row.sync_state or {})
        folders = dict(state.get("imap") or {})
        current = dict(folders.get(folder) or {})
        if not reset and current.get("uidvalidity") == uidvalidity:
            last_uid = max(last_uid, int(current.get("last_uid") or 0))  # a parallel run
        folders[folder] = {"uidvalidity": uidvalidity, "last_uid": last_uid}
        state["imap"] = folders
        Inbox.objects.filter(pk=inbox.pk).update(sync_state=state)
        inbox.sync_state = state


def sync_all(inbox_id: int | None = None) -> dict[int, SyncResult]:
    """Every active e-mail inbox with an IMAP host (or the one asked for)."""
    boxes = Inbox.objects.filter(kind=ChannelKind.EMAIL)
    boxes = boxes.filter(pk=inbox_id) if inbox_id is not None else boxes.filter(active=True)
    out = {}
    for box in boxes.order_by("pk"):
        if inbox_id is None and not (box.config or {}).get("imap_host"):
            continue
        out[box.pk] = sync_inbox(box)
    return out
