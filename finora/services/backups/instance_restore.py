"""Restoring an instance archive into an empty, migrated database of any engine.

The rows come from the portable JSON Lines members or from the `database.sqlite` member
(opened with an engine of its own, after migrating that private copy to this code's head
when it is older). Either way every row goes through the codec (decode_row: types,
lengths, nulls), its id must be new in its table and every reference must name a row
already restored (tables go parents first, a table's own parents first within it); the
database's own rules (unique e-mails, checks) are the last guard. Everything happens in
the caller's one transaction, so a refusal at any row leaves nothing behind: the caller
commits once. Ids are kept; PostgreSQL sequences are then moved past the largest id."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from finora.services.backups.codec import decode_row, encode_row
from finora.services.backups.container import DATABASE_MEMBER, ArchiveReader
from finora.services.backups.errors import (
    ArchiveRowError,
    NotEmptyDatabaseError,
    WrongScopeError,
)
from finora.services.backups.instance_sqlite import open_sqlite_copy
from finora.services.backups.instance_tables import (
    EPHEMERAL_TABLES,
    instance_tables,
    outside_references,
    self_references,
)
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

WRITE_BATCH = 1000  # rows per INSERT round trip

# Rows a fresh database may hold before anyone signs up: the restore replaces settings
# (the archive's are the instance's) and keeps these audit events (a refused attempt to
# restore, say) after the archive's own, with new ids.
REPLACED_TABLES = ("settings",)
KEPT_TABLES = ("audit_events",)


class HouseholdArchiveError(WrongScopeError):
    message = _l(
        "This is a household backup: it is restored into a household (`flask finora backup "
        "restore` or the backup centre), not as a whole instance."
    )


def check_empty(session: Session) -> None:
    """NotEmptyDatabaseError unless the database has no users and no households."""
    from finora.models import Household, User

    for model in (User, Household):
        if session.scalar(select(func.count()).select_from(model)):
            raise NotEmptyDatabaseError()


def restore_instance(
    session: Session, reader: ArchiveReader, *, work_dir: Path | None = None
) -> dict[str, int]:
    """Copy the archive's rows into the session's (empty, migrated) database; returns the
    rows restored per table. Does not commit: the caller commits once, or rolls back.
    `work_dir` is where a database.sqlite member is extracted (a private temp folder when
    not given)."""
    if reader.manifest.scope != "instance":
        raise HouseholdArchiveError()
    check_empty(session)
    reader.verify()
    connection = session.connection()
    kept = _clear_leftovers(connection)
    if reader.manifest.storage == "sqlite":
        with _work_folder(work_dir) as folder:
            copy = folder / DATABASE_MEMBER
            reader.extract(DATABASE_MEMBER, copy)
            with open_sqlite_copy(copy) as source:
                counts = _copy_all(connection, _sqlite_rows(source))
    else:
        _refuse_unknown_tables(reader)
        counts = _copy_all(connection, _portable_rows(reader))
    _reset_sequences(connection)
    for table_name, rows in kept.items():
        table = _table(table_name)
        for row in rows:
            connection.execute(insert(table).values(**row))
    session.expire_all()
    return counts


@contextmanager
def _work_folder(work_dir: Path | None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=work_dir, prefix=".restore-") as folder:
        yield Path(folder)


def _table(name: str) -> Table:
    return next(table for table in instance_tables() if table.name == name)


def _clear_leftovers(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Empty the carried tables a fresh database may already hold rows in (see
    REPLACED_TABLES / KEPT_TABLES); returns the rows to put back afterwards, without ids.
    Any other carried table holding a row means the database is in use: refused."""
    kept: dict[str, list[dict[str, Any]]] = {}
    for table in instance_tables():
        if connection.scalar(select(func.count()).select_from(table)) == 0:
            continue
        if table.name in REPLACED_TABLES:
            connection.execute(delete(table))
        elif table.name in KEPT_TABLES:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            kept[table.name] = [
                {key: value for key, value in row.items() if key != "id"} for row in rows.mappings()
            ]
            connection.execute(delete(table))
        else:
            raise NotEmptyDatabaseError()
    return kept


def _refuse_unknown_tables(reader: ArchiveReader) -> None:
    known = {table.name for table in instance_tables()} | EPHEMERAL_TABLES
    for name in reader.tables():
        if name not in known:
            raise ArchiveRowError(name, 1, _("this version of Finora has no such table"))


# A source yields, per carried table in order, (table, iterator of (line, JSON object)).
def _portable_rows(reader: ArchiveReader):
    for table in instance_tables():
        yield table, reader.rows(table.name)


def _sqlite_rows(source: Connection):
    """The SQLite copy's rows as the JSON objects a portable archive would hold, so both
    kinds of archive pass the same checks (a hand-edited file's text in an integer
    column, an over-long name...). Line = the row's position in id order."""
    for table in instance_tables():
        yield table, _encoded(source, table)


def _encoded(source: Connection, table: Table):
    statement = select(*table.columns).order_by(*table.primary_key.columns)
    line = 0
    try:
        result = source.execution_options(yield_per=WRITE_BATCH).execute(statement)
        for line, row in enumerate(result.mappings(), start=1):
            yield line, encode_row(table, row)
    except ArchiveRowError:
        raise
    except (DBAPIError, StatementError, ValueError, TypeError, ArithmeticError) as error:
        raise ArchiveRowError(table.name, line + 1, _("a value cannot be read")) from error


def _copy_all(connection: Connection, source) -> dict[str, int]:
    counts: dict[str, int] = {}
    # (table, primary key column) -> the ids restored: what later tables may point to.
    # Every reference in the schema names a primary key; only ids are kept in memory.
    known: dict[tuple[str, str], set] = {}
    for table, rows in source:
        ids = _copy_table(connection, table, rows, known)
        counts[table.name] = len(ids)
        known[(table.name, _pk(table))] = ids
    return counts


def _pk(table: Table) -> str:
    return table.primary_key.columns.values()[0].name


def _copy_table(connection: Connection, table: Table, rows, known) -> set:
    """Insert one table's rows in batches; returns its primary keys. Rows whose parent in
    the same table is not in yet wait, and go in once it is (any order in the file)."""
    pk = _pk(table)
    parents = self_references(table)
    outside = outside_references(table)
    ids: set = set()
    placed: set = set()
    waiting: list[tuple[int, dict[str, Any]]] = []
    batch = _Batch(connection, table)
    for line, obj in rows:
        values = decode_row(table, obj, line=line)
        key = values.get(pk)
        if key in ids:
            raise ArchiveRowError(table.name, line, _("the id %(id)s appears twice", id=key))
        ids.add(key)
        for column, ref, ref_column in outside:
            value = values.get(column)
            if value is not None and value not in known.get((ref, ref_column), ()):
                raise ArchiveRowError(
                    table.name, line,
                    _("%(column)s points to no row of %(table)s", column=column, table=ref),
                )
        if any(values.get(column) is not None and values[column] not in placed
               for column in parents):
            waiting.append((line, values))
            continue
        batch.add(line, values)
        placed.add(key)
    while waiting:
        ready = [(line, values) for line, values in waiting
                 if all(values.get(column) is None or values[column] in placed for column in parents)]
        if not ready:
            line, values = waiting[0]
            column = next(c for c in parents if values.get(c) is not None and values[c] not in placed)
            raise ArchiveRowError(
                table.name, line,
                _("%(column)s points to no row of %(table)s", column=column, table=table.name),
            )
        for line, values in ready:
            batch.add(line, values)
            placed.add(values.get(pk))
        waiting = [item for item in waiting if item[1].get(pk) not in placed]
    batch.flush()
    return ids


class _Batch:
    """Rows waiting for one multi-row INSERT; a row the database refuses (a duplicate
    e-mail, a broken check) names its table and the lines of its batch."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection, self.table = connection, table
        self.statement = insert(table)
        if connection.dialect.name != "postgresql":
            # RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs
            # ("insertmanyvalues"): faster on MariaDB and SQLite; psycopg pipelines a
            # plain executemany already, and is slower with RETURNING.
            self.statement = self.statement.returning(*table.primary_key.columns)
        self.rows: list[dict[str, Any]] = []
        self.first_line = self.last_line = 0

    def add(self, line: int, values: dict[str, Any]) -> None:
        if not self.rows:
            self.first_line = line
        self.last_line = line
        self.rows.append(values)
        if len(self.rows) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        # An older archive may lack a newer column in some rows: one INSERT per key set,
        # so the missing columns take their defaults.
        groups: dict[frozenset, list[dict[str, Any]]] = {}
        for row in self.rows:
            groups.setdefault(frozenset(row), []).append(row)
        try:
            for group in groups.values():
                result = self.connection.execute(self.statement, group)
                if result.returns_rows:
                    result.all()
        except (DBAPIError, StatementError) as error:
            reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
            raise ArchiveRowError(
                self.table.name, self.first_line,
                _("the database refused a row of lines %(first)s to %(last)s (%(reason)s)",
                  first=self.first_line, last=self.last_line, reason=reason),
            ) from error
        self.rows = []


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from a sequence that explicit ids do not move: set each
    past its table's largest id. (MariaDB and SQLite follow the largest id themselves.)"""
    if connection.dialect.name != "postgresql":
        return
    for table in instance_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608 - names from our models
                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
            ),
            {"table": table.name, "column": column.name},
        )
