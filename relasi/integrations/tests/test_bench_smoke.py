"""Fast runs of the benchmarks so the scripts cannot rot (not timed tests)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    return out.stdout


def test_bench_import_smoke():
    out = _run("bench/bench_import.py", "--rows", "2000", "--backends", "sqlite")
    assert "sqlite" in out and "ratio" in out


def test_bench_export_smoke():
    out = _run("bench/bench_export.py", "--rows", "2000")
    assert "CSV export" in out and "XLSX export" in out
