"""bench/bench_whatsapp.py runs end to end on 40 messages (gunicorn, db_worker, a throwaway
SQLite file; so the benchmark cannot rot): every message stored once, no event left."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_bench_whatsapp_smoke(tmp_path):
    out = subprocess.run(
        [sys.executable, "bench/bench_whatsapp.py", "--child", "--messages", "40",
         "--customers", "20", "--senders", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "RELASI_VAR_DIR": str(tmp_path),
             "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"},
    )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    assert out.returncode == 0 and lines, out.stderr[-3000:]
    result = json.loads(lines[-1][7:])
    assert result["stored"] == result["distinct"] == 40 and result["events_left"] == 0
    assert result["ack_per_s"] > 0 and result["floor_per_s"] > 0 and result["ack_ratio"] > 0
