"""The restart after an update, under a real gunicorn: a worker finds its master and asks
it to reload (SIGHUP), and a new worker then serves; outside gunicorn the answer is
"manual". Runs once, in the SQLite pass (no database involved)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from finora.services.updates.restart import gunicorn_master, is_gunicorn, request_restart
from tests.conftest import SERVER

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(SERVER != "sqlite", reason="no database: once is enough")

PROBE = '''
import os
from finora.services.updates.restart import request_restart


def app(environ, start_response):
    body = request_restart() if environ["PATH_INFO"] == "/restart" else str(os.getpid())
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode()]
'''


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def _wait(check, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("gave up waiting")


def test_a_worker_asks_its_gunicorn_master_for_a_graceful_reload(tmp_path):
    (tmp_path / "restart_probe.py").write_text(PROBE)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO}", "HOME": str(tmp_path)}
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "restart_probe:app"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first = _wait(lambda: _get(f"{base}/pid"))
        assert _get(f"{base}/restart") == "graceful"
        second = _wait(lambda: (pid := _get(f"{base}/pid")) != first and pid)
        assert second != first and master.poll() is None  # a new worker, the same master
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=30)


def test_outside_gunicorn_the_admin_restarts():
    # pytest's parent is a shell (whose command line may well name this file: it does not
    # count, only the program does).
    assert gunicorn_master() is None
    assert request_restart() == "manual"


@pytest.mark.parametrize("arguments, expected", [
    (["/srv/finora/.venv/bin/python", "/srv/finora/.venv/bin/gunicorn", "app:app"], True),
    (["gunicorn", "-c", "gunicorn.conf.py", "app:app"], True),
    (["/usr/bin/python3.11", "-m", "gunicorn", "app:app"], True),
    (["gunicorn: master [app:app]"], True),
    (["bash", "-c", "pytest tests/test_update_restart_gunicorn.py"], False),
    (["/usr/bin/python3", "-m", "pytest", "-k", "gunicorn"], False),
    (["python", "app.py"], False),
    ([], False),
])
def test_only_the_program_counts_as_gunicorn(arguments, expected):
    assert is_gunicorn(arguments) is expected
