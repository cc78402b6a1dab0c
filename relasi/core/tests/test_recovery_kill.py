"""Issue #19 with a real `kill -9` of `manage.py db_worker` during a job (scenario in
scenario_recovery.py, on a file-based SQLite database in a temp dir)."""

import subprocess
import sys


def test_kill_minus_9_mid_job_is_resumed_and_its_email_sent_once(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "relasi.core.tests.scenario_recovery", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    line = out.stdout.strip().splitlines()[-1]
    fields = dict(part.split("=", 1) for part in line.split())
    assert fields["reached"] == "True", line
    assert fields["left"] == "running:40", line  # what the kill leaves behind
    assert (fields["status"], fields["percent"], fields["attempts"]) == ("succeeded", "100", "2")
    assert (fields["emails"], fields["email_status"]) == ("1", "sent"), line
