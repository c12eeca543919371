"""A stand-in code folder for the update pages and CLI tests: CODE_DIR with the installed
version (finora/version.py) and a bundled manifest listing the releases a test wants. The
check and the status read only these two files, so nothing else needs copying."""

from __future__ import annotations

import json
from pathlib import Path

PACKAGE_URL = "https://updates.example.org/finora-%s.tar.gz"


def release_entry(version: str, *, package: bool = True, channel: str | None = None) -> dict:
    entry = {
        "version": version,
        "date": "2026-12-01",
        "notes": {"en": f"Notes {version} in English", "pt": f"Notas {version} em português",
                  "es": f"Notas {version} en español"},
    }
    if channel:
        entry["channel"] = channel
    if package:
        entry["package"] = {"url": PACKAGE_URL % version, "sha256": "ab" * 32, "size": 1234,
                            "signature": "c2ln"}
    return entry


def make_code_dir(root: Path, *, installed: str = "0.2.0", releases: list[dict] | None = None) -> Path:
    """`root` laid out as a code folder; `releases` default to 0.2.0 and a newer 0.3.0."""
    if releases is None:
        releases = [release_entry("0.3.0"), release_entry("0.2.0", package=False)]
    (root / "finora").mkdir(parents=True, exist_ok=True)
    (root / "finora" / "version.py").write_text(f'__version__ = "{installed}"\n', encoding="utf-8")
    (root / "updates").mkdir(exist_ok=True)
    manifest = {"schema": 1, "app": "finora", "releases": releases}
    (root / "updates" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root
