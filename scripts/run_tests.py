"""`make test`: the whole suite on SQLite, again on PostgreSQL when one is configured, and the
browser tests when Debian's Chromium is present. Ends with one line: `N passed, N failed`
(followed by `, N skipped` when some were skipped). Exit code 0 only if nothing failed.

PostgreSQL: set RELASI_TEST_DATABASE_URL (or DATABASE_URL) to postgres://user@host:port/name.
pytest-django creates (and drops) its own test databases from it, named
`test_<name>_<run id>_gw<N>`, so several runs can share one server.
Browser: RELASI_CHROMIUM (default /usr/bin/chromium); RELASI_REQUIRE_BROWSER=1 makes a missing
browser, or a browser run with no test, a failure (CI).
RELASI_TEST_WORKERS: pytest-xdist workers for the database runs (default 2).
Extra arguments are passed to every pytest run (e.g. `make test ARGS="-k customers"`)."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
extra = sys.argv[1:]


@dataclass
class Result:
    label: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    names: list[str] = field(default_factory=list)


def run(label: str, args: list[str], env: dict[str, str]) -> Result:
    fd, name = tempfile.mkstemp(prefix="relasi-junit-", suffix=".xml")
    os.close(fd)
    xml = Path(name)
    cmd = [PY, "-m", "pytest", "-q", "-o", "junit_family=xunit2", f"--junitxml={xml}"]
    cmd += [*args, *extra]
    print(f"\n=== {label}: pytest {' '.join(cmd[3:])}", flush=True)
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, **env})
    result = Result(label, seconds=time.monotonic() - started)
    if xml.exists() and xml.stat().st_size:
        for case in ET.parse(xml).getroot().iter("testcase"):
            outcome = {child.tag for child in case}
            if outcome & {"failure", "error"}:
                result.failed += 1
            elif "skipped" in outcome:
                result.skipped += 1
            else:
                result.passed += 1
                result.names.append(case.get("name", "?"))
    xml.unlink(missing_ok=True)
    # 5 = no test collected (e.g. no browser test yet): not a failure by itself.
    if code not in (0, 5) and result.failed == 0:
        result.failed = 1  # the run itself broke (collection error, crash, interrupted)
    print(
        f"--- {label}: {result.passed} passed, {result.failed} failed, "
        f"{result.skipped} skipped in {result.seconds:.0f}s",
        flush=True,
    )
    return result


def postgres_url() -> str:
    url = os.environ.get("RELASI_TEST_DATABASE_URL", "")
    if not url and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        url = os.environ["DATABASE_URL"]
    if not url:
        return ""
    # A per-run database name: pytest-django derives test_<name>_gw<N> from it.
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "relasi") + f"_{os.getpid()}"
    return urlunsplit(parts._replace(path="/" + name))


def main() -> int:
    results: list[Result] = []
    workers = ["-n", os.environ.get("RELASI_TEST_WORKERS", "2")]
    if workers[1] in ("0", "1"):
        workers = ["-p", "no:xdist"]
    sqlite_env = {"DATABASE_URL": "sqlite:///unused.sqlite3"}
    results.append(run("SQLite", [*workers, "-m", "not browser"], sqlite_env))

    if pg := postgres_url():
        parts = urlsplit(pg)
        host = f"{parts.username + '@' if parts.username else ''}{parts.hostname}"
        shown = parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")).geturl()
        print(f"\n(PostgreSQL: pytest-django creates test_<name>_gw<N> databases on {shown})")
        results.append(run("PostgreSQL", [*workers, "-m", "not browser"], {"DATABASE_URL": pg}))
    else:
        print("\n=== PostgreSQL: skipped (set RELASI_TEST_DATABASE_URL=postgres://… to run it)")

    require_browser = os.environ.get("RELASI_REQUIRE_BROWSER") == "1"
    chromium = os.environ.get("RELASI_CHROMIUM", "/usr/bin/chromium")
    if Path(chromium).exists() or shutil.which("chromium"):
        browser_env = {**sqlite_env, "RELASI_TEST_SQLITE_FILE": "1"}  # see settings_test.py
        browser = run("Browser (Chromium)", ["-p", "no:xdist", "-m", "browser"], browser_env)
        if require_browser and browser.passed == 0:
            print("--- Browser: no browser test passed, and CI requires them")
            browser.failed = max(browser.failed, 1)
        results.append(browser)
    elif require_browser:
        print("\n=== Browser: Chromium is required (RELASI_REQUIRE_BROWSER=1) but missing")
        results.append(Result("Browser (Chromium)", failed=1))
    else:
        print("\n=== Browser: skipped (no Chromium at /usr/bin/chromium)")

    print("\nSummary")
    for r in results:
        print(
            f"  {r.label:<20} {r.passed:>5} passed {r.failed:>4} failed "
            f"{r.skipped:>4} skipped  {r.seconds:>5.0f}s"
        )
        if r.label.startswith("Browser") and r.names:
            print("    browser tests that passed: " + ", ".join(r.names))
    print("  Ran: " + ", ".join(r.label for r in results))
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line, flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
