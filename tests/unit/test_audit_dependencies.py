"""scripts/audit_dependencies.py (`make audit`): a known vulnerability fails, an index that
cannot be reached is one line and no failure, pip-audit's own failure is not taken for a
clean audit."""

from __future__ import annotations

import http.server
import importlib.util
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


audit = _load_script()


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


@pytest.fixture
def answering_index() -> Iterator[str]:
    """An index on loopback whose JSON API answers for every package."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"info": {"name": "pip"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_index_skips_the_audit_in_one_line_without_failing():
    url = f"http://127.0.0.1:{_closed_port()}/pypi"
    result = _run("--index-url", url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("dependency audit skipped: the package index is unreachable")
    assert url in lines[0]


def test_pip_audit_failing_while_the_index_answers_fails_the_audit(tmp_path, answering_index):
    missing = tmp_path / "no-such-requirements.txt"
    result = _run("--index-url", answering_index, str(missing))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "pip-audit exited with" in result.stderr
    assert "no-such-requirements.txt" in result.stderr


def test_a_known_vulnerability_fails_and_names_the_package_and_the_fix():
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "werkzeug", "version": "3.0.0", "vulns": [
            {"id": "GHSA-0000-1111-2222", "fix_versions": ["3.0.6", "3.1.0"], "aliases": []},
        ]},
    ], "fixes": []}
    status, lines = audit.summarize(report)
    assert status == 1
    assert lines == ["dependency audit: 1 known vulnerability:",
                     "werkzeug 3.0.0: GHSA-0000-1111-2222 (fixed in: 3.0.6, 3.1.0)"]


def test_no_vulnerability_passes_and_names_what_could_not_be_audited():
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "werkzeug", "version": "3.1.9", "vulns": []},
        {"name": "private-tool", "skip_reason": "Dependency not found on PyPI"},
    ]}
    assert audit.summarize(report) == (0, [
        "dependency audit: no known vulnerabilities in 2 packages "
        "(1 not on the index, not audited: private-tool)"
    ])


def test_an_index_that_knows_none_of_the_versions_is_a_skip_not_a_clean_audit():
    report = {"dependencies": [
        {"name": "flask", "skip_reason": "Dependency not found on PyPI"},
        {"name": "werkzeug", "skip_reason": "Dependency not found on PyPI"},
    ]}
    status, lines = audit.summarize(report)
    assert status == 0
    assert lines == ["dependency audit skipped: the package index knows none of the "
                     "2 pinned versions"]
