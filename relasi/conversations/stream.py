"""Real time for the web-chat widget without a broker: a Server-Sent Events stream of a
conversation's new messages.

PostgreSQL: the stream opens its own psycopg connection and LISTENs on the conversation's
channel; storing a message sends `pg_notify('relasi_conv_<id>', '<message id>')` in the same
transaction, which PostgreSQL delivers only when that transaction commits, to every listening
process on every machine. The stream then reads the new rows through the ORM. Each heartbeat
reads once more, so a notification lost (a dropped connection) costs at most HEARTBEAT seconds.

SQLite (one machine, one process is enough): the stream reads the table every POLL seconds.

A stream lives LIFETIME seconds, then ends; the client reconnects with Last-Event-ID (the
last message id it saw), so no message is lost between two streams and no worker is held for
long. Lines starting with ":" are heartbeats, which keep proxies from closing an idle stream."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection

LIFETIME = 25.0
HEARTBEAT = 10.0
POLL = 1.0
RETRY_MS = 1500

Fetch = Callable[[int], list[dict[str, Any]]]


def channel(conversation_id: int) -> str:
    return f"relasi_conv_{int(conversation_id)}"


def notify(conversation_id: int, message_id: int) -> None:
    """Tell listening streams a message was stored (PostgreSQL only: SQLite streams poll).
    NOTIFY is transactional, so inside a transaction it goes out when (and if) it commits."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [channel(conversation_id), str(message_id)])


_open = 0
_open_lock = threading.Lock()


def open_streams() -> int:
    """Streams this process is serving now (each holds a worker thread, and on PostgreSQL a
    connection)."""
    return _open


def _count(delta: int) -> None:
    global _open
    with _open_lock:
        _open += delta


def _wait(seconds: float) -> None:
    time.sleep(seconds)


def _event(item: dict[str, Any]) -> str:
    data = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    return f"id: {item['id']}\nevent: message\ndata: {data}\n\n"


def events(conversation_id: int | None, fetch: Fetch, after: int) -> Iterator[str]:
    """The stream's text: a retry hint, then every new message as an event, heartbeats
    between, until LIFETIME is over. `fetch(after)` returns the messages after an id."""
    deadline = time.monotonic() + LIFETIME
    _count(1)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        if conversation_id is not None and connection.vendor == "postgresql":
            yield from _listen(conversation_id, fetch, after, deadline)
        else:
            yield from _poll(fetch, after, deadline)
    finally:
        _count(-1)


def _emit(fetch: Fetch, after: int) -> tuple[list[str], int]:
    items = fetch(after)
    return [_event(i) for i in items], (items[-1]["id"] if items else after)


def _poll(fetch: Fetch, after: int, deadline: float) -> Iterator[str]:
    beat = time.monotonic()
    while True:
        out, after = _emit(fetch, after)
        yield from out
        now = time.monotonic()
        if now >= deadline:
            return
        if now - beat >= HEARTBEAT:
            beat = now
            yield ": ping\n\n"
        _wait(min(POLL, max(0.0, deadline - now)))


def listen_params() -> dict[str, Any]:
    """Connection parameters of Django's default database, for a connection of our own."""
    params = dict(connection.get_connection_params())
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


def _listen(conversation_id: int, fetch: Fetch, after: int, deadline: float) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**listen_params(), autocommit=True) as conn:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel(conversation_id))))
        # Read only after LISTEN: a message committed in between is in this read or notified.
        out, after = _emit(fetch, after)
        yield from out
        while (left := deadline - time.monotonic()) > 0:
            woke = False
            for _note in conn.notifies(timeout=min(HEARTBEAT, left), stop_after=1):
                woke = True
            if not woke:
                yield ": ping\n\n"
            out, after = _emit(fetch, after)
            yield from out
