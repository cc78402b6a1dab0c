"""The loopback Dovecot server for the IMAP tests (one per test session, a fresh mailbox per
test). Without Dovecot the tests are skipped with the reason — except in CI (`CI` set), where
a missing server is a failure, so the IMAP tests can never silently stop running. .ci/run sets
RELASI_REQUIRE_IMAP=1 for the same effect."""

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from relasi.conversations.models import Inbox
from relasi.conversations.tests.imap_server import DovecotMissing, DovecotServer


def new_server() -> DovecotServer:
    """A server, or the test skipped (failed in CI) with the reason when Dovecot is missing."""
    try:
        return DovecotServer()
    except DovecotMissing as exc:
        if os.environ.get("CI") or os.environ.get("RELASI_REQUIRE_IMAP"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    server = new_server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Mailbox:
    server: DovecotServer
    user: str
    inbox: Inbox

    def deliver(self, *raws: bytes, folder: str = "INBOX") -> None:
        self.server.append_many(self.user, list(raws), folder)


@pytest.fixture
def mailbox(dovecot: DovecotServer, db) -> Mailbox:
    """An e-mail inbox connected to its own fresh IMAP mailbox."""
    from relasi.conversations.tests.factories import inbox

    user, password = dovecot.new_user()
    box = inbox(
        address="halo@tokoxyz.test",
        config={
            "imap_host": dovecot.host,
            "imap_port": dovecot.port,
            "imap_user": user,
            "imap_ssl": "none",
        },
    )
    box.set_secrets({"imap_password": password})
    box.save()
    return Mailbox(dovecot, user, box)
