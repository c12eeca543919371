"""Audit the pinned requirements for known vulnerabilities (pip-audit), when the index answers.

`make audit` (and CI) runs it. pip-audit asks the package index's JSON API about every
pinned version in requirements.txt and requirements-dev.txt (exact pins, so nothing is
installed or resolved). The outcome, with the exit status:

- a known vulnerability in any of them: each is listed with its fixed versions; status 1;
- none: one line saying how many packages were audited; status 0;
- the index cannot be reached (offline, a firewall), or it knows none of the versions: one
  line saying the audit was skipped and why; status 0 — a machine without the index is no
  reason to fail a build, and the line makes the skip visible;
- pip-audit itself fails while the index answers: its error; status 2.

    .venv/bin/python scripts/audit_dependencies.py [--index-url URL] [REQUIREMENTS ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")
# pip-audit's PyPI service asks this JSON API; --index-url only changes where this script
# checks that the index answers (the tests point it at a closed port).
INDEX_URL = "https://pypi.org/pypi"
PROBE_PACKAGE = "pip"  # a package every index has
TIMEOUT = 10.0


def index_problem(index_url: str, timeout: float = TIMEOUT) -> str | None:
    """Why the index's JSON API cannot be used now (None: it answers)."""
    url = f"{index_url.rstrip('/')}/{PROBE_PACKAGE}/json"
    if not url.startswith(("https://", "http://")):
        return f"not an http(s) URL: {index_url}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) checked above
            response.read(1)
    except urllib.error.HTTPError as error:
        return f"{index_url}: HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return f"{index_url}: {getattr(error, 'reason', error)}"
    return None


def run_pip_audit(files: list[Path]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner",
               "off", "--no-deps", "--disable-pip"]
    for path in files:
        command += ["--requirement", str(path)]
    # Our own interpreter and fixed arguments; the files are the repository's.
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


def summarize(report: dict[str, Any]) -> tuple[int, list[str]]:
    """The exit status and the lines to print for pip-audit's JSON report."""
    audited, skipped, found = [], [], []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(dependency["name"])
            continue
        audited.append(dependency["name"])
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            found.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} "
                         f"(fixed in: {fixes})")
    if found:
        return 1, [f"dependency audit: {len(found)} known "
                   f"{'vulnerability' if len(found) == 1 else 'vulnerabilities'}:", *found]
    if not audited:
        return 0, ["dependency audit skipped: the package index knows none of the "
                   f"{len(skipped)} pinned versions"]
    line = f"dependency audit: no known vulnerabilities in {len(audited)} packages"
    if skipped:
        line += f" ({len(skipped)} not on the index, not audited: {', '.join(sorted(skipped))})"
    return 0, [line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="*", type=Path,
                        default=[ROOT / name for name in REQUIREMENTS])
    parser.add_argument("--index-url", default=INDEX_URL)
    args = parser.parse_args(argv)

    problem = index_problem(args.index_url)
    if problem is not None:
        print(f"dependency audit skipped: the package index is unreachable ({problem})")
        return 0
    result = run_pip_audit(args.requirements)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        problem = index_problem(args.index_url)  # the index may have gone away meanwhile
        if problem is not None:
            print(f"dependency audit skipped: the package index is unreachable ({problem})")
            return 0
        print(f"dependency audit failed: pip-audit exited with {result.returncode}:",
              file=sys.stderr)
        print(result.stderr.strip() or result.stdout.strip(), file=sys.stderr)
        return 2
    status, lines = summarize(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
