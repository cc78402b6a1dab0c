"""Test settings: fast hashers, in-memory e-mail, immediate tasks, a throwaway var/ directory."""

import os
import tempfile

os.environ["RELASI_TESTING"] = "1"
os.environ.setdefault("RELASI_VAR_DIR", tempfile.mkdtemp(prefix="relasi-test-"))
os.environ.setdefault("SECURE_HTTPS", "0")

from relasi.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
