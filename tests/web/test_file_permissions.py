"""Another account on the machine cannot read Finora's files: the data directory, the SQLite
database with its -wal and -shm, the logs and the generated secrets are owner-only, even
when the process umask would make new files world-readable (022)."""

from __future__ import annotations

import logging
import os
import stat

import pytest
from flask_migrate import upgrade

from finora import create_app
from finora.extensions import db


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_install_creates_owner_only_files(tmp_path, umask_022):
    data = tmp_path / "data"
    app = create_app(
        {
            "FINORA_ENV": "development",
            "DATA_DIR": data,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data / 'finora.db'}",
            "SECRET_KEY": "",
            "APP_SECRET": "",
            "LOG_TO_FILE": True,
            "LOG_FILE_MAX_BYTES": 512,
            "LOG_FILE_BACKUP_COUNT": 2,
            "SCHEDULER_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            upgrade()  # writes: the -wal and -shm files exist while a connection is open
            connection = db.engine.connect()
            logger = logging.getLogger("finora")
            for number in range(20):  # enough to rotate the log file
                logger.info("line %s of a log that rotates", number)
            files = {
                "finora.db": data / "finora.db",
                "finora.db-wal": data / "finora.db-wal",
                "finora.db-shm": data / "finora.db-shm",
                ".secret_key": data / ".secret_key",
                ".app_secret": data / ".app_secret",
                "logs/finora.log": data / "logs" / "finora.log",
                "logs/finora.log.1": data / "logs" / "finora.log.1",
            }
            modes = {name: oct(_mode(path)) for name, path in files.items()}
            connection.close()
    finally:
        with app.app_context():
            db.engine.dispose()
        for handler in list(logging.getLogger("finora").handlers):
            handler.close()
    assert modes == dict.fromkeys(files, oct(0o600))
    assert oct(_mode(data)) == oct(0o700)
    assert oct(_mode(data / "logs")) == oct(0o700)
