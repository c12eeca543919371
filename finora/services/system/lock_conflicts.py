"""Telling a lost race for a lock from any other database error."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# Deadlocks and lock wait timeouts: MariaDB/MySQL 1213 and 1205, PostgreSQL 40P01
# (deadlock) and 40001 (serialization failure); SQLite says "database is locked". The
# database has rolled the transaction back (or the statement, for a timeout): the caller
# rolls back and either tries again or answers as for the row the other writer made.
_DEADLOCK_CODES = {1213, "40P01"}
_LOCK_CODES = _DEADLOCK_CODES | {1205, "40001"}


def _code(error: DBAPIError) -> object:
    original = error.orig
    args = getattr(original, "args", None) or ()
    return getattr(original, "sqlstate", None) or (args[0] if args else None)


def is_lock_conflict(error: DBAPIError) -> bool:
    """True when ERROR is a deadlock or a lock timeout, not a fault of the statement."""
    return _code(error) in _LOCK_CODES or "database is locked" in str(error.orig)


def is_deadlock(error: DBAPIError) -> bool:
    """True when ERROR is a deadlock: two transactions each waited for the other's lock,
    and the database rolled this one back (a timeout only says someone held a lock long)."""
    return _code(error) in _DEADLOCK_CODES
