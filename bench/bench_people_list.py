"""People list page against the same data through the API, under concurrent clients.

Builds a SQLite database with N synthetic people (bench/bulkload.py), serves it with gunicorn
(the production recipe of the README, on loopback), signs one administrator in, then runs a
threaded keep-alive HTTP load generator: C clients for S seconds against the list page
(`/customers/people/`, first page, default columns) and against the API list endpoint
(`/api/v1/customers/people?limit=50`), alternating in rounds so background load hits both alike.

    .venv/bin/python bench/bench_people_list.py                 # 50,000 people, 16 clients
    .venv/bin/python bench/bench_people_list.py --rows 2000 --clients 4 --seconds 2

Prints req/s and p95 of both and the page/API ratios. Target (issue 19): page >= 150 req/s with
p95 < 150 ms on the 2-core machine (the API list endpoint is the baseline of the same run).
It then measures the CPU time one request of each costs in-process (Django's test client: the
whole middleware stack and view, no HTTP; min and median over batches): throughput depends on
whatever else the shared machine runs, CPU per request much less (`--no-cpu` skips it).
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="relasi.settings",
        RELASI_VAR_DIR=var_dir,
        DATABASE_URL=f"sqlite:///{var_dir}/bench.sqlite3",
        DEBUG="0",
        SECURE_HTTPS="0",
        API_RATE_AUTH="100000000/m",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare(rows: int) -> None:
    """(child) Migrate, load `rows` people, print credentials for one administrator."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("setup", verbosity=0)  # migrate, cache table, static files

    from bench.bulkload import load_people
    from relasi.accounts import actions as account_actions
    from relasi.accounts.models import Role, User

    load_people(rows)
    admin = User.objects.create_user(
        "bench", "bench@example.test", "x" * 16, role=Role.objects.get(slug="administrator")
    )
    _t, token = account_actions.issue_token(admin, "bench", {"customers": "read"})
    print("CREDS " + json.dumps({"token": token, "cookie": session_cookie(admin)}), flush=True)


def session_cookie(admin: Any) -> str:
    """A signed-in session for `admin`, started now (the session policy ends idle ones)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(admin.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    store["_started"] = store["_seen"] = timezone.now().timestamp()  # session policy
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def fresh_session() -> None:
    """(child) A kept database's saved session may have ended: start a new one."""
    import django

    django.setup()
    from django.conf import settings

    from relasi.accounts.models import User

    path = Path(settings.VAR_DIR) / "creds.json"
    creds = json.loads(path.read_text())
    creds["cookie"] = session_cookie(User.objects.get(username="bench"))
    path.write_text(json.dumps(creds))


def cpu_per_request(get: Callable[[], int], requests: int = 25, batches: int = 8) -> dict:
    """CPU milliseconds one call of `get` (a request answering its status) costs in this
    process: min and median of `batches` batches of `requests`, after a warm-up."""
    for _ in range(5):
        get()
    per = []
    for _ in range(batches):
        start = time.process_time()
        for _ in range(requests):
            if (status := get()) != 200:
                raise RuntimeError(f"status {status}")
        per.append((time.process_time() - start) / requests * 1000)
    per.sort()
    return {"min_ms": per[0], "median_ms": per[len(per) // 2]}


def cpu_child() -> None:
    """(child) In-process CPU per request of the page and the API on the prepared database."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    creds = json.loads((Path(settings.VAR_DIR) / "creds.json").read_text())
    client = Client()
    name, key = creds["cookie"].split("=", 1)
    client.cookies[name] = key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {creds['token']}"}
    out = {
        "page": cpu_per_request(lambda: client.get("/customers/people/").status_code),
        "api": cpu_per_request(
            lambda: client.get("/api/v1/customers/people?limit=50", **auth).status_code
        ),
    }
    print("CPU " + json.dumps(out), flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(
    port: int, path: str, headers: dict[str, str], clients: int, seconds: float
) -> list[float]:
    """Each client thread keeps one connection open and requests `path` until time is up."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        start.wait()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {path}")
                break
            mine.append(time.perf_counter() - t)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return latencies


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    lat = sorted(latencies)
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))] if lat else 0.0
    return {"rps": len(lat) / seconds, "p95_ms": p95 * 1000, "n": len(lat)}


def run(
    rows: int,
    clients: int,
    seconds: float,
    workers: int,
    threads: int,
    rounds: int = 3,
    keep: str | None = None,
    cpu: bool = True,
) -> dict[str, Any]:
    """`keep`: a directory to build the database in once and reuse on later runs."""
    with tempfile.TemporaryDirectory(prefix="relasi-bench-people-") as tmp:
        var_dir = keep or tmp
        env = _env(var_dir)
        saved = Path(var_dir) / "creds.json"
        if not saved.exists():
            out = subprocess.run(
                [PY, __file__, "--prepare", str(rows)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("CREDS "))
            saved.write_text(line[6:])
        else:
            subprocess.run([PY, __file__, "--session"], env=env, check=True)
        creds = json.loads(saved.read_text())
        port = _free_port()
        server = subprocess.Popen(
            [
                str(Path(PY).with_name("gunicorn")),
                "relasi.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--worker-class=gthread",
                f"--threads={threads}",
                "--log-level=warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            _wait(port)
            page = ("/customers/people/", {"Cookie": creds["cookie"]})
            api = (
                "/api/v1/customers/people?limit=50",
                {"Authorization": f"Bearer {creds['token']}"},
            )
            for path, headers in (page, api):  # warm both (templates, caches, connections)
                load(port, path, headers, clients, min(1.0, seconds))
            lat: dict[str, list[float]] = {"page": [], "api": []}
            for _ in range(rounds):
                for key, (path, headers) in (("page", page), ("api", api)):
                    lat[key] += load(port, path, headers, clients, seconds / rounds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        cpu_ms = None
        if cpu:
            out = subprocess.run(
                [PY, __file__, "--cpu-child"], env=env, capture_output=True, text=True, check=True
            ).stdout
            cpu_ms = json.loads(next(x for x in out.splitlines() if x.startswith("CPU "))[4:])
    result: dict[str, Any] = {key: summary(values, seconds) for key, values in lat.items()}
    result["cpu"] = cpu_ms
    result["rows"] = rows
    result["clients"] = clients
    result["rps_ratio"] = result["page"]["rps"] / result["api"]["rps"]
    result["p95_ratio"] = result["page"]["p95_ms"] / result["api"]["p95_ms"]
    return result


def _wait(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def report(r: dict[str, Any]) -> None:
    print(f"People list, {r['rows']:,} people, {r['clients']} clients (gunicorn, loopback)")
    print(f"{'endpoint':<38} {'req/s':>8} {'p95 ms':>8} {'requests':>9}")
    for key, label in (("api", "API list (baseline)"), ("page", "list page /customers/people/")):
        s = r[key]
        print(f"{label:<38} {s['rps']:>8.1f} {s['p95_ms']:>8.1f} {s['n']:>9,}")
    print(f"page / API: req/s {r['rps_ratio']:.2f}x, p95 {r['p95_ratio']:.2f}x")
    if r.get("cpu"):
        api, page = r["cpu"]["api"], r["cpu"]["page"]
        print(
            "CPU per request in-process (min / median of batches): "
            f"API {api['min_ms']:.1f} / {api['median_ms']:.1f} ms, "
            f"page {page['min_ms']:.1f} / {page['median_ms']:.1f} ms "
            f"({page['min_ms'] / api['min_ms']:.2f}x)"
        )
    ok = r["page"]["rps"] >= 150 and r["page"]["p95_ms"] < 150
    print(f"target page >= 150 req/s and p95 < 150 ms: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        sys.path.insert(0, str(ROOT))
        prepare(int(sys.argv[2]))
        sys.exit(0)
    if sys.argv[1:] in (["--cpu-child"], ["--session"]):
        sys.path.insert(0, str(ROOT))
        cpu_child() if sys.argv[1] == "--cpu-child" else fresh_session()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", help="build the database in this directory once, then reuse it")
    parser.add_argument("--no-cpu", action="store_true", help="skip the in-process CPU figures")
    args = parser.parse_args()
    report(
        run(
            args.rows,
            args.clients,
            args.seconds,
            args.workers,
            args.threads,
            keep=args.keep,
            cpu=not args.no_cpu,
        )
    )
