"""SECURITY.md check 30: an SBOM of the dependencies, and no secrets in the repository."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SECRET_PATTERNS = [
    re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"(?i)(secret_key|api_key|password|token)\s*=\s*[\"'][A-Za-z0-9+/_\-]{24,}[\"']"),
    re.compile(r"xox[baprs]-[0-9A-Za-z-]{10,}"),  # Slack
    re.compile(r"ghp_[0-9A-Za-z]{36}"),  # GitHub
]


def test_sbom_lists_every_direct_dependency(tmp_path):
    out = tmp_path / "sbom.json"
    done = subprocess.run(
        [sys.executable, "scripts/sbom.py", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    bom = json.loads(out.read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    names = {c["name"] for c in bom["components"] if c["scope"] == "required"}
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {re.split(r"[\s\[<>=!~;]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}
    assert wanted <= names, wanted - names
    assert all(c["purl"].startswith("pkg:pypi/") for c in bom["components"])


def test_no_secrets_in_tracked_files():
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not files:
        import pytest

        pytest.skip("not a git checkout")
    hits = []
    for name in files:
        path = ROOT / name
        if (
            path.suffix in {".png", ".jpg", ".woff", ".woff2", ".mo", ".xlsx", ".pdf"}
            or not path.is_file()
        ):
            continue
        text = path.read_text(errors="ignore")
        for pattern in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                hits.append(f"{name}: {match.group(0)[:40]}")
    assert hits == [], "\n".join(hits)
