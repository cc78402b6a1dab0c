"""Write a CycloneDX 1.5 SBOM (JSON) of the Python packages installed in this environment,
marking Relasi's direct dependencies (from pyproject.toml). No network; run by `.ci/run`.

    .venv/bin/python scripts/sbom.py var/sbom.cdx.json
"""

import datetime as dt
import json
import re
import sys
import tomllib
import uuid
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def build() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = {_name(r) for r in project["dependencies"]}
    components = []
    for dist in sorted(metadata.distributions(), key=lambda d: (d.metadata["Name"] or "").lower()):
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not name or name == "relasi":
            continue
        licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
        component = {
            "type": "library",
            "bom-ref": f"pkg:pypi/{name}@{dist.version}",
            "name": name,
            "version": dist.version,
            "purl": f"pkg:pypi/{name}@{dist.version}",
            "scope": "required" if name in direct else "optional",
        }
        if licence and len(licence) < 100:
            component["licenses"] = [{"license": {"name": licence}}]
        components.append(component)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "component": {"type": "application", "name": "relasi", "version": project["version"]},
        },
        "components": components,
    }


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "var" / "sbom.cdx.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    bom = build()
    out.write_text(json.dumps(bom, indent=1))
    direct = sum(1 for c in bom["components"] if c["scope"] == "required")
    print(f"SBOM: {len(bom['components'])} packages ({direct} direct) -> {out}")
