"""What the log says once at start: several workers counting rate limits each in its own
memory, mail (with its links) going to the log, files other accounts can read."""

from __future__ import annotations

import logging
import os

import pytest

from finora import create_app
from finora.startup import shared_rate_limit_store, worker_count


@pytest.fixture
def startup_log(caplog):
    logger = logging.getLogger("finora.startup")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="finora.startup")
    yield caplog
    logger.removeHandler(caplog.handler)


@pytest.fixture
def no_worker_settings(monkeypatch):
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"):
        monkeypatch.delenv(name, raising=False)


def _app(tmp_path, **overrides):
    config = {
        "FINORA_ENV": "testing",
        "DATA_DIR": tmp_path,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "RATELIMIT_ENABLED": True,
    }
    config.update(overrides)
    return create_app(config)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_worker_count_reads_gunicorns_settings():
    assert worker_count({}, ["pytest"]) == 1
    assert worker_count({"WEB_CONCURRENCY": "3"}, ["pytest"]) == 3
    assert worker_count({"GUNICORN_WORKERS": "2", "WEB_CONCURRENCY": "5"}, ["pytest"]) == 2
    assert worker_count({"GUNICORN_CMD_ARGS": "--bind 0.0.0.0:80 --workers=4"}, ["x"]) == 4
    assert worker_count({"GUNICORN_WORKERS": "2"}, ["/venv/bin/gunicorn", "-w", "6", "app:app"]) == 6
    assert worker_count({}, ["/venv/bin/gunicorn", "--workers", "1", "app:app"]) == 1
    assert worker_count({}, ["/venv/lib/gunicorn/__main__.py", "-w3", "app:app"]) == 3
    assert worker_count({"GUNICORN_WORKERS": "zero"}, ["pytest"]) == 1


def test_only_memory_is_a_store_of_its_own():
    assert not shared_rate_limit_store("memory://")
    assert not shared_rate_limit_store("")
    assert shared_rate_limit_store("redis://redis:6379/0")
    assert shared_rate_limit_store("memcached://cache:11211")


def test_several_workers_on_memory_warn_at_start(tmp_path, startup_log, monkeypatch, no_worker_settings):
    monkeypatch.setenv("GUNICORN_WORKERS", "4")
    _app(tmp_path, RATELIMIT_STORAGE_URI="memory://")
    [warning] = [w for w in _warnings(startup_log) if "Rate limits" in w]
    assert "4 workers" in warning and "RATELIMIT_STORAGE_URI" in warning


def test_one_worker_or_a_shared_store_does_not_warn(tmp_path, startup_log, monkeypatch, no_worker_settings):
    _app(tmp_path, RATELIMIT_STORAGE_URI="memory://")
    monkeypatch.setenv("GUNICORN_WORKERS", "4")
    _app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    _app(tmp_path, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ENABLED=False)
    assert not [w for w in _warnings(startup_log) if "Rate limits" in w]


def test_mail_going_to_the_log_is_said_once_at_start(tmp_path, startup_log, no_worker_settings):
    _app(tmp_path)
    [notice] = [w for w in _warnings(startup_log) if "SMTP" in w]
    assert "written to this log" in notice
    startup_log.clear()
    _app(tmp_path, MAIL_SERVER="smtp.example.net")
    assert not [w for w in _warnings(startup_log) if "SMTP" in w]


def test_one_shot_commands_stay_quiet(tmp_path, startup_log, monkeypatch, no_worker_settings):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    monkeypatch.setenv("GUNICORN_WORKERS", "4")
    _app(tmp_path)
    assert _warnings(startup_log) == []


def test_files_others_can_read_are_named_at_start(tmp_path, startup_log, no_worker_settings):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103 - the permissive mode this test detects
    database = data / "finora.db"
    database.touch()
    os.chmod(database, 0o644)
    _app(data, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", MAIL_SERVER="smtp.example.net")
    [warning] = _warnings(startup_log)
    assert f"{data} (755)" in warning and f"{database} (644)" in warning
    startup_log.clear()
    os.chmod(data, 0o700)
    os.chmod(database, 0o600)
    _app(data, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", MAIL_SERVER="smtp.example.net")
    assert _warnings(startup_log) == []
