"""/healthz reports the database; every log line and response carries a request id."""

from __future__ import annotations

import logging

from finora import create_app
from finora.version import __version__


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "database": "ok", "schema": "ok", "version": __version__,
    }


def test_healthz_degraded_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "FINORA_ENV": "testing",
            "DATA_DIR": tmp_path,
            # A database server that is down: nothing listens on port 1.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/finora",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "degraded",
        "database": "error",
        "schema": "unknown",
        "version": __version__,
    }


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"
    ] == "abc-123"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 16
    unsafe = client.get("/healthz", headers={"X-Request-ID": "<script> spaced id"})
    assert len(unsafe.headers["X-Request-ID"]) == 16


def test_log_lines_carry_the_request_id_and_go_to_a_rotating_file(app_factory, tmp_path):
    app = app_factory(LOG_TO_FILE=True, LOG_FILE_MAX_BYTES=2048, LOG_FILE_BACKUP_COUNT=2)
    client = app.test_client()
    with app.app_context():
        for _ in range(40):
            client.post(
                "/login",
                data={"email": "nobody@example.com", "password": "whatever it is"},
                headers={"X-Request-ID": "trace-42"},
            )
    for handler in logging.getLogger("finora").handlers:
        handler.flush()
    log_dir = tmp_path / "logs"
    text = (log_dir / "finora.log").read_text()
    assert "[trace-42] finora: sign-in failed" in text
    assert (log_dir / "finora.log.1").exists()
    assert not (log_dir / "finora.log.3").exists()


def test_sql_logging_is_quiet_by_default(app):
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
