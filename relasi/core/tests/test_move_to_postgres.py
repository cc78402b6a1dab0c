"""`manage.py move_to_postgres` copies an SQLite install (here: the small PT XYZ demo, so every
app's tables take part) into an empty PostgreSQL database without losing a row."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PG_ADMIN = os.environ.get("RELASI_TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def empty_pg():
    psycopg = pytest.importorskip("psycopg")
    name = f"relasi_move_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server reachable")
    yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_move_demo_install_to_postgres(tmp_path, empty_pg):
    import psycopg

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "RELASI_TESTING")
    }
    env.update(
        {
            "RELASI_VAR_DIR": str(tmp_path),
            "DEBUG": "1",
            "SECURE_HTTPS": "0",
            "DATABASE_URL": f"sqlite:///{tmp_path}/relasi.sqlite3",
        }
    )
    for args in (("setup",), ("seed", "--small")):
        done = manage(env, *args)
        assert done.returncode == 0, done.stderr[-3000:]
    moved = manage(env, "move_to_postgres", empty_pg)
    assert moved.returncode == 0, moved.stdout[-2000:] + moved.stderr[-3000:]
    assert "every table's rows and checksum match" in moved.stdout
    import sqlite3

    source = sqlite3.connect(tmp_path / "relasi.sqlite3")
    customers = source.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
    source.close()
    assert customers >= 200  # the demo's people, and contacts its conversations created
    with psycopg.connect(empty_pg) as conn:
        assert conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0] == customers
        assert conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0] == 13
        next_id = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('customers_customer', 'id'))"
        ).fetchone()[0]
        assert next_id > customers  # sequences follow the copied ids
    again = manage(env, "move_to_postgres", empty_pg)
    assert again.returncode != 0 and "not empty" in again.stderr
    # The moved database serves Relasi: search works through the PostgreSQL trigram index.
    env["DATABASE_URL"] = empty_pg
    check = manage(
        env,
        "shell",
        "-c",
        "from relasi.accounts.models import User; from relasi.customers.search import search_customers; print(len(search_customers(User.objects.get(username='admin'), 'agnes')))",
    )
    assert check.returncode == 0 and int(check.stdout.strip().splitlines()[-1]) > 0, check.stderr[
        -2000:
    ]
