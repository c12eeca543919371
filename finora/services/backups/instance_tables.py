"""Which tables an instance backup carries, and in which order they go back in.

Everything a family would miss is carried: users and their security (passkeys, TOTP and
backup codes, API tokens, pending e-mail confirmations and reset links), households and
everything they own, settings, the audit trail, backup schedules. What is left out
belongs to the old machine's running processes or is short-lived security state that
would be wrong on the new one:

- scheduler_leases, job_runs: which process ran which job when (the new machine starts
  its own history; a lease held by a process that no longer exists would only delay it);
- user_sessions: the old machine's sign-ins (everyone signs in again after a move);
- used_form_tokens: replay guards for forms opened on the old machine (they expire);
- sign_in_failures: lockout counters (a move is a fresh start, as after the window ends);
- recovery_key_displays: a recovery key waiting to be shown once: shown there or never;
- backups: the index of archive files on the old machine's disk, which the new one lacks;
- undo_records: Undo buttons that last 10 minutes (docs/undo.md).

Secrets stored encrypted (TOTP secrets, the SMTP password) are Fernet tokens under a key
derived from APP_SECRET: the new machine needs the same APP_SECRET to read them.
"""

from __future__ import annotations

from sqlalchemy import Table

from finora.models.base import Base

EPHEMERAL_TABLES = frozenset({
    "scheduler_leases",
    "job_runs",
    "user_sessions",
    "used_form_tokens",
    "sign_in_failures",
    "recovery_key_displays",
    "backups",
    "undo_records",
})


def instance_tables() -> list[Table]:
    """Every carried table, parents before children (Base.metadata's dependency order).

    The only cycle in the schema is a table referring to itself (categories.parent_id),
    which sorted_tables leaves in place; the restore puts such rows in parent-first order
    itself. A new model lands here by itself unless it is added to EPHEMERAL_TABLES."""
    import finora.models  # noqa: F401 - every model registered on the metadata

    return [table for table in Base.metadata.sorted_tables if table.name not in EPHEMERAL_TABLES]


def self_references(table: Table) -> list[str]:
    """The columns of `table` that point at `table` itself (a parent in the same table)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def outside_references(table: Table) -> list[tuple[str, str, str]]:
    """(column, referred table, referred column) for every reference to another table."""
    return [
        (fk.parent.name, fk.column.table.name, fk.column.name)
        for fk in table.foreign_keys
        if fk.column.table is not table
    ]
