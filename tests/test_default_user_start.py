"""A bare `python app.py` with ENABLE_DEFAULT_USER_SEED, run for real: the first start
migrates and creates the default user (through the bootstrap), a second start at head
leaves it as it is, and neither writes the password to the log or opens a browser when
stdout is not a terminal."""

from __future__ import annotations

import sqlite3

from tests.test_app_start import _env, _free_port, _serve, _stop, _wait_for

PASSWORD = "a lantern by the river"
SEED = {
    "ENABLE_DEFAULT_USER_SEED": "1",
    "DEFAULT_USER_EMAIL": "casa@example.com",
    "DEFAULT_USER_NAME": "Casa",
    "DEFAULT_USER_PASSWORD": PASSWORD,
    "FINORA_AUTO_OPEN_BROWSER": "1",  # stdout is a file here: never opened
    "SCHEDULER_ENABLED": "0",
}


def _start_and_stop(data_dir, log) -> str:
    port = _free_port()
    process = _serve(_env(data_dir, port, **SEED), log)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
    finally:
        _stop(process)
    return log.read_text(errors="replace")


def test_python_app_py_creates_the_default_user_once(tmp_path):
    data_dir = tmp_path / "data"
    first = _start_and_stop(data_dir, tmp_path / "first.log")
    assert "Traceback" not in first, first
    assert "Created the default user casa@example.com" in first
    with sqlite3.connect(data_dir / "finora.db") as connection:
        users = connection.execute("SELECT email, status, is_admin FROM users").fetchall()
        households = connection.execute("SELECT count(*) FROM households").fetchone()[0]
    assert users == [("casa@example.com", "active", 1)] and households == 1

    second = _start_and_stop(data_dir, tmp_path / "second.log")
    assert "migrating" not in second
    assert "Default user casa@example.com exists; left as it is." in second
    with sqlite3.connect(data_dir / "finora.db") as connection:
        assert connection.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    for output in (first, second):
        assert PASSWORD not in output
        assert "Opening http" not in output
