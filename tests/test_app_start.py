"""A bare `python app.py`, run for real: on an empty data directory in development it
migrates its SQLite database and serves the sign-up page; in production, or on PostgreSQL
or MariaDB, a database behind the code stops it with one line saying what to run."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from finora.extensions import db
from finora.services.system.schema import code_heads
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database

ROOT = Path(__file__).resolve().parent.parent
UPGRADE = "flask --app app db upgrade"
START_TIMEOUT = 30.0
# The caller's shell (or a .env) must not choose the database, environment or port.
_SETTING_PREFIXES = ("FINORA_", "FLASK_", "BOOTSTRAP_", "LOG_", "RATELIMIT_", "MAIL_")
_SETTINGS = {"SECRET_KEY", "APP_SECRET", "DATABASE_URL", "SCHEDULER_ENABLED", "APP_BASE_URL"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(data_dir: Path, port: int, **settings: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_SETTING_PREFIXES) and key not in _SETTINGS
    }
    # Present but empty: python-dotenv never overrides a variable that is set.
    env.update(
        FINORA_DATA_DIR=str(data_dir), FINORA_HOST="127.0.0.1", FINORA_PORT=str(port),
        DATABASE_URL="", SECRET_KEY="", APP_SECRET="", FINORA_ENV="development",
    )
    env.update(settings)
    return env


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def _wait_for(url: str, process: subprocess.Popen, log: Path, want: int = 200) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    status, body = None, ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"python app.py exited with {process.returncode}:\n" + log.read_text(errors="replace")
            )
        try:
            status, body = _get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status = None
        if status == want:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{url} answered {status}, not {want}:\n" + log.read_text(errors="replace"))


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _serve(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )


def _refused(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.one_engine  # SQLite in every pass: the development default
@pytest.mark.parametrize("revision", [None, "0013"], ids=["empty", "older"])
def test_development_migrates_its_sqlite_database_and_serves_the_sign_up(tmp_path, revision):
    data_dir = tmp_path / "data"  # not there yet, unless a database at 0013 is put in it
    if revision is not None:
        data_dir.mkdir()
        _sqlite_at(data_dir / "finora.db", revision, tmp_path)
    port = _free_port()
    log = tmp_path / "server.log"
    process = _serve(_env(data_dir, port), log)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/signup", process, log)
        assert 'name="email"' in page
        # The scheduler started after the migration and holds its lease.
        _wait_for(f"http://127.0.0.1:{port}/readyz", process, log)
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        _stop(process)
    output = log.read_text(errors="replace")
    assert "Traceback" not in output and "scheduler tick failed" not in output, output
    assert f"migrating the SQLite database ({'new' if revision is None else 'at 0013'})" in output
    with sqlite3.connect(data_dir / "finora.db") as connection:
        revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    assert revisions == set(code_heads())


def _sqlite_at(path: Path, revision: str | None, tmp_path: Path) -> str:
    url = f"sqlite:///{path}"
    if revision is not None:
        app = make_app(url, tmp_path / "maker")
        with app.app_context():
            upgrade(revision=revision)
            db.engine.dispose()
    return url


@pytest.mark.one_engine  # a SQLite file in every pass
@pytest.mark.parametrize("revision", [None, "0013"], ids=["empty", "older"])
def test_production_refuses_a_database_behind_with_one_line(tmp_path, revision):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = _sqlite_at(data_dir / "finora.db", revision, tmp_path)
    env = _env(
        data_dir, _free_port(), FINORA_ENV="production", DATABASE_URL=url,
        SECRET_KEY="start-test-secret-key-0123456789abcdef",
        APP_SECRET="start-test-app-secret-0123456789abcdef",
    )
    result = _refused(env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert UPGRADE in lines[0] and "Finora cannot start" in lines[0]
    assert ("is empty" if revision is None else "is at migration 0013") in lines[0]
    assert result.stdout == ""
    # Nothing was migrated behind the operator's back.
    with sqlite3.connect(data_dir / "finora.db") as connection:
        versions = connection.execute(
            "SELECT name FROM sqlite_master WHERE name = 'alembic_version'"
        ).fetchall()
        if revision is not None:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
                ("0013",)
            ]
    assert bool(versions) == (revision is not None)


@pytest.mark.skipif(SERVER == "sqlite", reason="a database server: PostgreSQL or MariaDB")
def test_development_on_a_database_server_refuses_instead_of_migrating(tmp_path):
    url = create_test_database(SERVER)
    try:
        result = _refused(_env(tmp_path / "data", _free_port(), DATABASE_URL=url))
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and UPGRADE in lines[0], result.stderr
        assert "is empty" in lines[0]
        engine = create_engine(url, poolclass=NullPool)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
    finally:
        drop_test_database(url)


def test_a_database_at_head_serves_without_migrating(tmp_path):
    """Production on the test run's engine: no refusal, no migration, /healthz ok."""
    if SERVER == "sqlite":
        url = _sqlite_at(tmp_path / "head.db", "head", tmp_path)
    else:
        url = create_test_database(SERVER)
        app = make_app(url, tmp_path / "maker")
        with app.app_context():
            upgrade()
            db.engine.dispose()
    port = _free_port()
    log = tmp_path / "server.log"
    env = _env(
        tmp_path / "data", port, FINORA_ENV="production", DATABASE_URL=url,
        SECRET_KEY="start-test-secret-key-0123456789abcdef",
        APP_SECRET="start-test-app-secret-0123456789abcdef", SCHEDULER_ENABLED="0",
    )
    process = _serve(env, log)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        assert _get(f"http://127.0.0.1:{port}/signup")[0] == 200
    finally:
        _stop(process)
        if SERVER != "sqlite":
            drop_test_database(url)
    assert "migrating" not in log.read_text(errors="replace")


@pytest.mark.one_engine  # nothing answers on port 1, whichever engine the pass uses
def test_a_database_that_does_not_answer_refuses_with_one_line(tmp_path):
    env = _env(
        tmp_path / "data", _free_port(),
        DATABASE_URL="postgresql://finora:hunter2@127.0.0.1:1/finora",
    )
    result = _refused(env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not answer" in lines[0], result.stderr
    assert "hunter2" not in lines[0]
