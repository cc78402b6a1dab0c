"""`make test`: the whole suite on SQLite, again on PostgreSQL when one is configured, and the
browser tests when Debian's Chromium is present. Ends with one line: `N passed, N failed`.

PostgreSQL: set RELASI_TEST_DATABASE_URL (or DATABASE_URL) to postgres://user@host:port/name.
Browser: RELASI_CHROMIUM (default /usr/bin/chromium); RELASI_REQUIRE_BROWSER=1 makes a missing
browser a failure (CI)."""

import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
extra = sys.argv[1:]


def run(label: str, args: list[str], env: dict[str, str]) -> tuple[int, int, int, int]:
    xml = Path(tempfile.mkstemp(prefix="relasi-junit-", suffix=".xml")[1])
    cmd = [PY, "-m", "pytest", "-q", f"--junitxml={xml}", *args, *extra]
    print(f"\n=== {label}: {' '.join(cmd[2:])}", flush=True)
    code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, **env})
    passed = failed = skipped = 0
    if xml.exists() and xml.stat().st_size:
        for suite in ET.parse(xml).getroot().iter("testsuite"):
            tests = int(suite.get("tests", 0))
            fails = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skips = int(suite.get("skipped", 0))
            passed += tests - fails - skips
            failed += fails
            skipped += skips
    xml.unlink(missing_ok=True)
    if code not in (0, 5) and failed == 0:
        failed = 1  # the run itself broke (collection error, crash)
    print(f"--- {label}: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return passed, failed, skipped, code


def main() -> int:
    results = []
    ran: list[str] = []
    workers = ["-n", os.environ.get("RELASI_TEST_WORKERS", "2")]
    base_env = {"DATABASE_URL": "sqlite:///unused.sqlite3"}
    results.append(run("SQLite", [*workers, "-m", "not browser"], base_env))
    ran.append("SQLite")
    pg = os.environ.get("RELASI_TEST_DATABASE_URL") or (
        os.environ.get("DATABASE_URL", "")
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else ""
    )
    if pg:
        results.append(run("PostgreSQL", [*workers, "-m", "not browser"], {"DATABASE_URL": pg}))
        ran.append("PostgreSQL")
    else:
        print("\n=== PostgreSQL: skipped (set RELASI_TEST_DATABASE_URL=postgres://… to run it)")
    chromium = os.environ.get("RELASI_CHROMIUM", "/usr/bin/chromium")
    if Path(chromium).exists() or shutil.which("chromium"):
        results.append(run("Browser (Chromium)", ["-m", "browser", "-p", "no:xdist"], base_env))
        ran.append("browser tests in Chromium")
    elif os.environ.get("RELASI_REQUIRE_BROWSER") == "1":
        print("\n=== Browser: Chromium is required but missing")
        results.append((0, 1, 0, 1))
    else:
        print("\n=== Browser: skipped (no Chromium at /usr/bin/chromium)")
    passed = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    skipped = sum(r[2] for r in results)
    print(f"\nRan: {', '.join(ran)}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
