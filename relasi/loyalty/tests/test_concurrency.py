"""Two redemptions at once never spend the same points: parallel redemptions against one
balance, as threads on PostgreSQL (row lock) and as processes on a SQLite file (IMMEDIATE
transactions), each with its own connection."""

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from relasi.core.testing import make_personas
from relasi.loyalty import actions, ledger
from relasi.loyalty.choices import EntryKind
from relasi.loyalty.models import LedgerEntry, Member, Programme

PARALLEL = 4


def _member() -> Member:
    personas = make_personas()
    programme = Programme.objects.create(code="race", name="Race")
    member = actions.enrol(
        personas.admin, programme, form={"first_name": "Race", "last_name": "Me"}
    )
    actions.adjust(personas.admin, member, 250, "race stake")
    return member


@pytest.mark.django_db(transaction=True)
def test_parallel_redemptions_threads_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("threads share one in-memory SQLite; the process test covers SQLite")
    member = _member()
    barrier = threading.Barrier(PARALLEL)
    results: list[str] = []

    def go(i: int) -> None:
        try:
            m = Member.objects.select_related("programme").get(pk=member.pk)
            barrier.wait(timeout=30)
            actions.redeem(None, m, 100, external_ref=f"till-{i}")
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    _check(member, results)


@pytest.mark.django_db(transaction=True)
def test_parallel_redemptions_processes(tmp_path: Path):
    member = _member()
    if connection.vendor == "sqlite":
        path = tmp_path / "race.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)  # the test database, as a file both can open
        target.close()
        url = f"sqlite:///{path}"
    else:
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    from relasi.loyalty.tests.race import redeem_in_child

    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(PARALLEL), ctx.Queue()
    procs = [
        ctx.Process(target=redeem_in_child, args=(url, member.pk, 100, f"p-{i}", barrier, out))
        for i in range(PARALLEL)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _p in procs]
    for p in procs:
        p.join(timeout=60)
    if connection.vendor == "sqlite":
        check = sqlite3.connect(path)
        (balance,) = check.execute(
            "SELECT balance FROM loyalty_member WHERE id=?", (member.pk,)
        ).fetchone()
        n, total = check.execute(
            "SELECT COUNT(*), SUM(points) FROM loyalty_ledgerentry WHERE member_id=? AND kind=?",
            (member.pk, EntryKind.REDEEM),
        ).fetchone()
        check.close()
        assert sorted(results) == ["ok", "ok", "refused", "refused"]
        assert (balance, n, total) == (50, 2, -200)
    else:
        _check(member, results)


def _check(member: Member, results: list[str]) -> None:
    assert sorted(results) == ["ok", "ok", "refused", "refused"]
    member.refresh_from_db()
    assert member.balance == 50
    assert LedgerEntry.objects.filter(member=member, kind=EntryKind.REDEEM).count() == 2
    assert ledger.verify() == []
