"""Test settings: fast hashers, in-memory e-mail, immediate tasks, a throwaway var/ directory."""

import os
import tempfile

os.environ["RELASI_TESTING"] = "1"
os.environ.setdefault("RELASI_VAR_DIR", tempfile.mkdtemp(prefix="relasi-test-"))
os.environ.setdefault("SECURE_HTTPS", "0")
# Tests read English strings unless they switch language themselves (the product default is id).
os.environ.setdefault("LANGUAGE_CODE", "en")

from relasi.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Tests run inside one transaction per test on one connection. A worker run in-process calls
# close_old_connections(), which closes a connection older than CONN_MAX_AGE — on PostgreSQL that
# would close the test's own connection mid-test. Persistent connections are only closed when
# unusable.
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
# Browser tests: the live server answers each request on a thread with a connection of its own,
# and Playwright's event loop gives the test's own ORM calls yet another. On the default shared-
# cache in-memory database those connections fail at once with "database table is locked" (no
# busy timeout applies to shared-cache table locks); a file in WAL mode is what production runs:
# readers never wait, writers queue on busy_timeout.
if os.environ.get("RELASI_TEST_SQLITE_FILE") == "1" and (
    DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"  # noqa: F405
):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-browser.sqlite3")}  # noqa: F405
