"""The instance backup: the whole Finora installation in one archive (global admin, CLI).

On SQLite it is the database file itself, copied with sqlite3's online backup API (a
consistent snapshot while the app keeps running and writing) into `database.sqlite`. On
PostgreSQL and MariaDB it is the portable format (one JSON Lines member per table) of
every table instance_tables() carries, read in one repeatable-read transaction so the
tables agree with each other, ids kept as they are. Either restores into an empty
database of any engine with restore_instance (instance_restore.py)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import cast

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from finora.services.backups.codec import encode_row
from finora.services.backups.container import DATABASE_MEMBER, ArchiveWriter, Manifest
from finora.services.backups.instance_restore import restore_instance
from finora.services.backups.instance_tables import EPHEMERAL_TABLES, instance_tables

__all__ = ["EPHEMERAL_TABLES", "restore_instance", "write_instance_archive"]

READ_BATCH = 2000  # rows fetched per round trip while streaming a table out


def write_instance_archive(session: Session, path: Path, *, storage: str | None = None) -> Manifest:
    """Write the instance archive to `path` (the caller picks a private place and name).
    `storage`: "sqlite" (SQLite only, the default there) or "portable" (the default on
    PostgreSQL and MariaDB; on SQLite too when asked, e.g. to compare both kinds)."""
    engine = cast(Engine, session.get_bind())  # the app's session is bound to its engine
    storage = storage or ("sqlite" if engine.dialect.name == "sqlite" else "portable")
    if storage == "sqlite":
        if engine.dialect.name != "sqlite":
            raise ValueError("backups: only a SQLite database is copied as a file")
        return _write_sqlite(engine, path)
    return _write_portable(engine, path)


def _write_sqlite(engine: Engine, path: Path) -> Manifest:
    # The copy is as private as the archive: a 0700 folder beside it, removed after.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".instance-") as folder:
        copy = Path(folder) / DATABASE_MEMBER
        snapshot_sqlite(engine, copy)
        with ArchiveWriter(path, scope="instance", storage="sqlite") as writer:
            writer.add_file(DATABASE_MEMBER, copy)
            return writer.close()


def snapshot_sqlite(engine: Engine, target: Path) -> None:
    """A consistent copy of the engine's SQLite database at `target` (mode 600), made by
    the online backup API from a connection of its own: it sees committed data only, and
    in WAL mode writers carry on while it reads. The copy leaves WAL mode so it is one
    self-contained file."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    raw = engine.raw_connection()
    try:
        source = cast(sqlite3.Connection, raw.driver_connection)  # a SQLite engine's own
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)  # all pages in one step: one snapshot
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        raw.close()


def _write_portable(engine: Engine, path: Path) -> Manifest:
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":  # one snapshot for every table
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            with ArchiveWriter(path, scope="instance", storage="portable") as writer:
                for table in instance_tables():
                    with writer.table(table.name) as out:
                        for row in _stream(connection, table):
                            out.write(encode_row(table, row))
                return writer.close()


def _stream(connection: Connection, table):
    """Every row of `table` in primary-key order, fetched in batches (server-side cursor
    on PostgreSQL and MariaDB), so memory stays flat however big the table."""
    statement = select(table).order_by(*table.primary_key.columns)
    result = connection.execution_options(yield_per=READ_BATCH).execute(statement)
    yield from result.mappings()
