"""Issue #19: the login limiter must hold under real concurrency. 24 wrong passwords sent at
once reach the (slow) password hash exactly LOGIN_FAILURE_LIMIT times, whatever the number of
processes, because each attempt is reserved in the database before the hash runs."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from relasi.accounts import views
from relasi.core.testing import PASSWORD
from relasi.core.throttle import Limit

PARALLEL = 24


def _hammer(n: int, target) -> list:
    """Run `target(i)` in n threads released together; collect what each returned."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _needs_concurrent_database() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads need a database with concurrent writers (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_are_verified_limit_times(personas, monkeypatch, settings):
    _needs_concurrent_database()
    # The real, slow hasher widens the window a check-then-count limiter leaves open.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    personas.rep.set_password("correct horse battery staple 1")
    personas.rep.save()
    verified = []
    lock = threading.Lock()
    real = views.authenticate

    def counting(*args, **kwargs):
        with lock:
            verified.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "authenticate", counting)

    def attempt(i: int) -> int:
        return (
            Client()
            .post(
                "/accounts/login/",
                {"username": "rep", "password": f"wrong password {i}"},
                REMOTE_ADDR=f"10.1.0.{i}",
            )
            .status_code
        )

    codes = _hammer(PARALLEL, attempt)
    assert len(verified) == settings.LOGIN_FAILURE_LIMIT
    assert sorted(codes).count(400) == settings.LOGIN_FAILURE_LIMIT
    assert sorted(codes).count(429) == PARALLEL - settings.LOGIN_FAILURE_LIMIT


@pytest.mark.django_db(transaction=True)
def test_counter_increments_are_atomic_across_connections():
    _needs_concurrent_database()
    limit = Limit("concurrency-test", 5, 60)
    results = _hammer(PARALLEL, lambda i: limit.hit("same"))
    assert sorted(results) == list(range(1, PARALLEL + 1))
    reserved = _hammer(PARALLEL, lambda i: Limit("concurrency-reserve", 5, 60).reserve("x"))
    assert reserved.count(True) == 5


@pytest.mark.django_db
def test_reserve_takes_the_attempt_before_the_work():
    limit = Limit("reserve-test", 2, 60)
    assert limit.reserve("a") and limit.reserve("a")
    assert not limit.reserve("a")
    assert limit.blocked_for("a") > 0
    assert limit.blocked_for("b") == 0
    limit.reset("a")
    assert limit.blocked_for("a") == 0 and limit.reserve("a")


@pytest.mark.django_db
def test_good_password_does_not_count_against_the_address(personas):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT * 4 + 2):
        response = client.post(
            "/accounts/login/",
            {"username": "teammate", "password": PASSWORD},
            REMOTE_ADDR="10.7.7.7",
        )
        assert response.status_code == 302
        client.post("/accounts/logout/")
