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
