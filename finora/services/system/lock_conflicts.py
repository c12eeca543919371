"""Telling a lost race for a lock from any other database error."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# Deadlocks and lock wait timeouts: MariaDB/MySQL 1213 and 1205, PostgreSQL 40P01
# (deadlock) and 40001 (serialization failure); SQLite says "database is locked". The
# database has rolled the transaction back (or the statement, for a timeout): the caller
# rolls back and either tries again or answers as for the row the other writer made.
_LOCK_CODES = {1213, 1205, "40P01", "40001"}


def is_lock_conflict(error: DBAPIError) -> bool:
    """True when ERROR is a deadlock or a lock timeout, not a fault of the statement."""
    original = error.orig
    args = getattr(original, "args", None) or ()
    code = getattr(original, "sqlstate", None) or (args[0] if args else None)
    return code in _LOCK_CODES or "database is locked" in str(original)
