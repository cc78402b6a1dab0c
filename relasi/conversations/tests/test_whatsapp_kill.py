"""Issue #13: a WhatsApp burst survives `kill -9` of the worker and the web server (the
scenario runs in a subprocess: scenario_whatsapp_kill.py). On the PostgreSQL run of the suite
it runs on a throwaway PostgreSQL database, otherwise on a SQLite file."""

import os
import subprocess
import sys
import uuid

from django.db import connection


def _run(tmp_path, env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "relasi.conversations.tests.scenario_whatsapp_kill",
         str(tmp_path), "200"],
        capture_output=True, text=True, timeout=900, env={**os.environ, **env},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    line = out.stdout.strip().splitlines()[-1]
    return dict(part.split("=", 1) for part in line.split())


def test_a_burst_killed_half_way_stores_every_message_exactly_once(tmp_path):
    env: dict[str, str] = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    dbname = ""
    if connection.vendor == "postgresql":
        import psycopg

        dbname = f"relasi_kill_{uuid.uuid4().hex[:10]}"
        params = connection.get_connection_params()
        admin = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        host, port = admin.get("host", "127.0.0.1"), admin.get("port", 5432)
        user = admin.get("user", "postgres")
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{dbname}"
    try:
        got = _run(tmp_path, env)
    finally:
        if dbname:
            with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    assert got["reached"] == "True" and got["done"] == "True", got
    assert 0 < int(got["at_kill"]) < 200, got  # the kill came mid-burst
    assert got["messages"] == got["distinct"] == got["expected"] == "200", got
    assert got["events_left"] == "0" and got["conversations"] == "50", got
    assert int(got["calls"]) > 200, got  # redeliveries happened and stored nothing twice
