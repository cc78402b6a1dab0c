"""F1 with a real `kill -9` of `manage.py db_worker`, and F9 with eight concurrent writers, each
on a file-based SQLite database in a temp dir (the in-memory test database cannot show them)."""

import subprocess
import sys


def _scenario(name: str, tmp_path) -> str:
    # The scenarios bound their own waits (20 s per kill phase, 30 s to finish); this limit only
    # guards against a hang. The kill scenario takes ~80 s beside a running suite: four worker
    # start-ups, three resume_imports runs and a migrate of a fresh database.
    out = subprocess.run(
        [sys.executable, "-m", "relasi.integrations.tests.scenario", name, str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


def test_f9_concurrent_writers_never_see_database_is_locked(tmp_path):
    line = _scenario("f9", tmp_path)
    fields = dict(part.split("=") for part in line.split())
    assert fields["errors"] == "0", line
    assert fields["customers"] == fields["expected"], line


def test_f1_kill_minus_9_the_worker_mid_import_and_resume(tmp_path):
    line = _scenario("kill", tmp_path)
    fields = dict(part.split("=") for part in line.split())
    assert fields["status"] == "done", line
    assert fields["customers"] == fields["expected"] == fields["rows_done"], line
    assert (fields["duplicates"], fields["percent"]) == ("0", "100"), line
