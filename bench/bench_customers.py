"""Customers at scale (issue 3): API list, deep pages, search and the 360° page against
baselines measured in the same run, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_customers.py                 # 1,000,000 people, both databases
    .venv/bin/python bench/bench_customers.py --rows 100000 --backends sqlite

Baselines: a plain Django JsonResponse view returning the same 50 rows (fetched by primary key,
the cheapest possible way), and the raw FTS5 trigram (SQLite) / pg_trgm-indexed LIKE (PostgreSQL)
query for the same term returning the same candidate rows (id, name, e-mail, phone, city; the
same LIMIT as Relasi's candidate set) — so the ratio is Relasi's own overhead: visibility,
exact-match lookups for e-mails/phones, ranking. Requests go through Django's full stack in-process (test Client), one at a time.
Prints ratios; targets: list >= 0.45x baseline req/s with p99 <= 2x, search <= 2x raw,
360° page p95 < 150 ms with 1,000 timeline entries.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def child(args: argparse.Namespace) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings"
    os.environ.setdefault("CACHE_URL", "locmemcache://")
    os.environ["API_RATE_AUTH"] = "100000000/m"
    os.environ["SECURE_HTTPS"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from bench.bulkload import load_people

    t0 = time.perf_counter()
    load_people(args.rows)
    load_s = time.perf_counter() - t0
    results = {"backend": connection.vendor, "rows": args.rows, "load_s": round(load_s, 1)}
    results.update(measure(args))
    print("RESULT " + json.dumps(results), flush=True)


def timed(fn, seconds: float, max_n: int = 100000) -> tuple[float, float, float]:
    lat = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and len(lat) < max_n:
        t = time.perf_counter()
        fn()
        lat.append(time.perf_counter() - t)
    return _summary(lat)


def _summary(lat: list[float]) -> tuple[float, float, float]:
    lat = sorted(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
    return len(lat) / sum(lat), p95 * 1000, p99 * 1000


def compare(a, b, seconds: float, rounds: int = 5) -> tuple[tuple, tuple]:
    """Alternate a and b in short rounds so background load hits both alike."""
    lat_a: list[float] = []
    lat_b: list[float] = []
    for _ in range(rounds):
        for fn, lat in ((a, lat_a), (b, lat_b)):
            end = time.perf_counter() + seconds / rounds
            while time.perf_counter() < end:
                t = time.perf_counter()
                fn()
                lat.append(time.perf_counter() - t)
    return _summary(lat_a), _summary(lat_b)


def measure(args: argparse.Namespace) -> dict:
    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client

    from relasi.accounts import actions as account_actions
    from relasi.accounts.models import Role, User
    from relasi.customers import actions, search
    from relasi.customers.api import LIST_FIELDS
    from relasi.customers.models import Customer

    admin = User.objects.create_user(
        "bench", "bench@example.test", "x" * 16, role=Role.objects.get(slug="administrator")
    )
    _t, raw = account_actions.issue_token(admin, "bench", {"customers": "read"})
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    out: dict = {}

    # The baseline is a plain Django view returning JsonResponse of the same rows (fetched by
    # primary key), served through the same middleware stack by the same test client.
    from django.urls import clear_url_caches, path

    from relasi import urls as root_urls

    baseline_ids: list[int] = []

    def baseline_view(request):
        rows = list(
            Customer.objects.filter(pk__in=baseline_ids).order_by("name", "id").values(*LIST_FIELDS)
        )
        return JsonResponse({"items": rows}, json_dumps_params={"default": str})

    root_urls.urlpatterns.append(path("bench-baseline/", baseline_view))
    clear_url_caches()
    plain = Client()

    # First page and a deep page (cursor taken from a row ~90% down the name order).
    first = client.get("/api/v1/customers/people?limit=50").json()
    first_ids = [r["id"] for r in first["items"]]
    deep_row = (
        Customer.objects.filter(kind="person")
        .order_by("name", "id")
        .values("name", "id")[int(args.rows * 0.9)]
    )
    from relasi.core.pagination import _encode

    cursor = _encode([deep_row["name"], deep_row["id"]])
    deep = client.get(f"/api/v1/customers/people?limit=50&cursor={cursor}").json()
    deep_ids = [r["id"] for r in deep["items"]]
    assert len(deep_ids) == 50, deep
    for label, url, ids in (
        ("first page", "/api/v1/customers/people?limit=50", first_ids),
        ("deep page", f"/api/v1/customers/people?limit=50&cursor={cursor}", deep_ids),
    ):
        baseline_ids[:] = ids
        assert len(plain.get("/bench-baseline/").json()["items"]) == len(ids)
        (b_rps, _b95, b99), (a_rps, _a95, a99) = compare(
            lambda: plain.get("/bench-baseline/").content,
            lambda: client.get(url).content,  # noqa: B023
            args.seconds,
        )
        out[label] = {
            "api_rps": round(a_rps),
            "baseline_rps": round(b_rps),
            "ratio": round(a_rps / b_rps, 2),
            "api_p99_ms": round(a99, 2),
            "baseline_p99_ms": round(b99, 2),
            "p99_ratio": round(a99 / b99, 2),
        }

    # Search: Relasi's ranked, visibility-scoped search vs the raw index query for the same term.
    sample = (
        list(
            Customer.objects.filter(kind="person")
            .order_by("?")
            .values_list("last_name", "primary_email")[:5]
        )
        if connection.vendor == "postgresql"
        else list(
            Customer.objects.filter(
                pk__in=random.Random(1).sample(range(1, args.rows), 5)
            ).values_list("last_name", "primary_email")
        )
    )
    terms = [s[0].lower() + " " for s in sample][:2] + [s[1].split("@")[0] for s in sample][:3]
    terms = [t.strip() for t in terms]
    ratios = []
    for term in terms:
        if connection.vendor == "sqlite":

            def raw_q(term=term):
                with connection.cursor() as c:
                    c.execute(
                        "SELECT c.id, c.name, c.primary_email, c.primary_phone, c.city FROM customers_search s "
                        "JOIN customers_customer c ON c.id = s.rowid WHERE customers_search MATCH %s LIMIT %s",
                        ['"' + term + '"', search.CANDIDATES],
                    )
                    return c.fetchall()
        else:

            def raw_q(term=term):
                with connection.cursor() as c:
                    c.execute(
                        "SELECT id, name, primary_email, primary_phone, city FROM customers_customer "
                        "WHERE search_text LIKE %s LIMIT %s",
                        ["%" + term + "%", search.CANDIDATES],
                    )
                    return c.fetchall()

        (r_rps, *_), (s_rps, *_) = compare(
            raw_q, lambda term=term: search.search_customers(admin, term, 20), args.seconds / 2
        )
        ratios.append((term, round(r_rps / s_rps, 2)))
    out["search"] = {"terms": ratios, "worst_time_ratio": max(r for _t, r in ratios)}

    # 360° page of a customer with 1,000 timeline entries.
    c = Customer.objects.filter(kind="person").first()
    for i in range(700):
        actions.add_note(admin, c, f"Catatan {i}")
    stages = ["customer", "repeat", "advocate", "former", "prospect"]
    for i in range(150):
        c = actions.change_stage(admin, c, stages[i % 5])
    page = Client()
    page.force_login(admin)
    s = page.session
    s["_started"] = s["_seen"] = time.time()
    s.save()
    url = f"/customers/people/{c.pk}/"
    assert page.get(url).status_code == 200
    _rps, p95, _p99 = timed(lambda: page.get(url).content, args.seconds)
    out["360 page"] = {
        "timeline_entries": c.notes.count() + c.lifecycle_changes.count(),
        "p95_ms": round(p95, 1),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for backend in args.backends.split(","):
        env = dict(os.environ)
        tmp = tempfile.mkdtemp(prefix="relasi-bench-")
        env["RELASI_VAR_DIR"] = tmp
        dbname = None
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            dbname = f"relasi_bench_{os.getpid()}"
            try:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{dbname}"')
            except psycopg.OperationalError as exc:
                print(f"PostgreSQL not reachable ({exc}); skipped")
                continue
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{dbname}"
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--rows",
                    str(args.rows),
                    "--seconds",
                    str(args.seconds),
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
            if proc.returncode or not lines:
                print(proc.stdout[-3000:], proc.stderr[-5000:])
                raise SystemExit(f"{backend}: benchmark failed")
            results.append(json.loads(lines[-1][7:]))
        finally:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
            if dbname:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    for r in results:
        print(f"\n## {r['backend']}: {r['rows']:,} people (bulk load {r['load_s']} s)")
        print(
            f"{'case':<12} {'API req/s':>10} {'baseline':>10} {'ratio':>6} {'p99 ms':>8} {'base p99':>9} {'p99 ratio':>9}"
        )
        for case in ("first page", "deep page"):
            x = r[case]
            print(
                f"{case:<12} {x['api_rps']:>10} {x['baseline_rps']:>10} {x['ratio']:>6} {x['api_p99_ms']:>8} {x['baseline_p99_ms']:>9} {x['p99_ratio']:>9}"
            )
        print(
            f"search: time ratio vs raw index query per term {r['search']['terms']} (worst {r['search']['worst_time_ratio']}x, target <= 2x)"
        )
        print(
            f"360 page: {r['360 page']['timeline_entries']} timeline entries, p95 {r['360 page']['p95_ms']} ms (target < 150 ms)"
        )
    print("\nTargets: list ratio >= 0.45 and p99 ratio <= 2; search <= 2x raw; 360 p95 < 150 ms.")


if __name__ == "__main__":
    main()
