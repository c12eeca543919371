"""Engine-level setup: SQLite pragmas and a cheap reachability check."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from finora.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL for concurrent readers, foreign keys enforced, waits instead of 'locked' errors."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # SQLite's own lower() folds only A-Z; searches and name checks need "Ã" -> "ã" too.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def database_ok() -> bool:
    """True when a trivial query answers; never raises."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "unreachable" to the caller
        return False
