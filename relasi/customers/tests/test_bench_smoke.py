"""A fast run of bench/bench_customers.py so the benchmark cannot rot (not a timed test)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_customers_benchmark_runs_on_sqlite():
    proc = subprocess.run(
        [
            sys.executable,
            "bench/bench_customers.py",
            "--rows",
            "3000",
            "--seconds",
            "0.2",
            "--backends",
            "sqlite",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "first page" in proc.stdout and "deep page" in proc.stdout
    assert "search: time ratio" in proc.stdout and "360 page" in proc.stdout
