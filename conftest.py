import logging
from collections.abc import Iterator

import pytest

from relasi.core.logging import JsonFormatter
from relasi.core.testing import Personas, client_for, make_personas


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request through LocaleMiddleware leaves its
    language active in the thread, which made translated strings depend on test order."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()


class LogCapture(logging.Handler):
    """Records and their JSON lines (as production would write them) from one logger tree."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    def events(self) -> list[str]:
        return [getattr(r, "event", r.getMessage()) for r in self.records]


@pytest.fixture
def security_log() -> Iterator[LogCapture]:
    """Captures the `relasi` loggers (security events included) at INFO."""
    logger = logging.getLogger("relasi")
    handler = LogCapture()
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@pytest.fixture(autouse=True)
def _in_process_worker_keeps_the_test_connection(monkeypatch):
    """A `db_worker` run in-process (call_command in a test) calls close_old_connections(), which
    closes any connection inside a transaction — on PostgreSQL, the test's own. Real workers run
    in their own processes, where that call is right."""
    import django_tasks_db.management.commands.db_worker as library_worker

    import relasi.core.management.commands.db_worker as relasi_worker

    monkeypatch.setattr(library_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(relasi_worker, "close_old_connections", lambda: None)
