"""Run a benchmark's measuring half in a child process on a throwaway database (a temporary
SQLite file or a fresh PostgreSQL database), and read back the RESULT line it prints."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def run_child(
    script: str, backend: str, args: list[str], env_extra: dict[str, str] | None = None
) -> dict:
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(prefix="relasi-bench-")
    env["RELASI_VAR_DIR"] = tmp
    env.update(env_extra or {})
    dbname = None
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        import psycopg

        dbname = f"relasi_bench_{Path(script).stem}_{os.getpid()}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{dbname}"
    try:
        cmd = [sys.executable, script, "--child", *args]
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(proc.stdout[-3000:], proc.stderr[-5000:])
            raise SystemExit(f"{backend}: benchmark failed")
        return json.loads(lines[-1][7:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if dbname:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
