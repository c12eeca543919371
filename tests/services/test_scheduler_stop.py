"""A real server running Finora's scheduler — a gunicorn worker, or `python app.py` as `make
run` starts it — stopped cleanly (SIGTERM, as `docker stop`, a service manager or a restart
sends), gives the lease up: the next process need not wait out the lease's lifetime to run
the jobs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade

from finora.extensions import db
from finora.jobs import LEASE_NAME
from finora.models import SchedulerLease
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path):
    url = create_test_database(SERVER)
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield app, url
    drop_test_database(url)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server(kind: str, url: str, tmp_path: Path) -> subprocess.Popen:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FINORA_ENV": "development",
        "FINORA_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": url,
        "SCHEDULER_ENABLED": "true",
        "SCHEDULER_TICK_SECONDS": "1",
        "FINORA_PORT": str(port),
    }
    env.pop("FLASK_RUN_FROM_CLI", None)
    env.pop("FLASK_DEBUG", None)
    command = {
        "gunicorn": [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                     f"127.0.0.1:{port}", "app:app"],
        "app.py": [sys.executable, "app.py"],
    }[kind]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _lease(app) -> SchedulerLease | None:
    with app.app_context():
        lease = db.session.get(SchedulerLease, LEASE_NAME)
        db.session.remove()
        db.engine.dispose()
        return lease


def _wait_for_the_lease(app, server: subprocess.Popen) -> SchedulerLease:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        lease = _lease(app)
        if lease is not None and lease.expires_at > datetime.now(UTC):
            return lease
        time.sleep(0.3)
    server.kill()
    pytest.fail(f"the worker never took the lease: {server.communicate()[1][-2000:]}")


@pytest.mark.parametrize("kind", ["gunicorn", "app.py"])
def test_stopping_the_server_releases_the_lease(database, tmp_path, kind):
    app, url = database
    server = _server(kind, url, tmp_path)
    held = _wait_for_the_lease(app, server)
    server.send_signal(signal.SIGTERM)  # what `docker stop` or a restart sends
    _out, err = server.communicate(timeout=60)
    lease = _lease(app)
    assert lease.holder == held.holder
    assert lease.expires_at <= datetime.now(UTC), f"lease still held after a clean stop:\n{err[-2000:]}"
